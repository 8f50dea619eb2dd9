"""Floods of well-formed frames: the flooder is warned, then closed 4429; nobody else notices.

A subscribe flood on `/ws/` and a typing flood on `/ws/chat/<id>/` (docs/protocol.md,
Limits: 20 frames a second, bursts of 40; the first frame over is answered
`rate_limited`, more than 40 refused within 10 s close the socket 4429). Meanwhile
the bystander keeps getting its events, the other participant of the
conversation keeps chatting, and nothing is stored.

One command: `.venv/bin/pytest tests/hardening/test_socket_floods.py`.
"""

from __future__ import annotations

import logging
import math
import time

import orjson
import pytest
from channels.db import database_sync_to_async

from apps.chat.topics import conversation_topic
from tidewire import close_codes
from tidewire.conf import tidewire_setting
from tidewire.connections import connections
from tidewire.testing.sockets import Client, open_socket

from .socket_world import unchanged_rows

pytestmark = [pytest.mark.django_db(transaction=True)]

FLOOD = 200  # frames sent as fast as the socket takes them: five times the burst


async def _flood(client: Client, frames: list[dict]) -> tuple[list[dict], dict, int]:
    """Send every frame, then read what came back until the close.

    Returns (frames, close, most_served): the most frames the limiter may let through
    while the flood lasted, its burst plus what refilled at its rate meanwhile (on a
    busy machine sending 200 frames takes longer, and more refills).
    """
    started = time.monotonic()
    for frame in frames:
        await client.send_frame(frame)
    answers = []
    while True:
        message = await client.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            refilled = (time.monotonic() - started) * tidewire_setting("SOCKET_FRAME_RATE")
            most_served = tidewire_setting("SOCKET_FRAME_BURST") + math.ceil(refilled)
            return answers, message, most_served
        answers.append(orjson.loads(message["text"]))


def _check_cut_off(answers: list[dict], close: dict) -> None:
    """Warned once with `rate_limited`, then closed 4429 "too many frames"."""
    errors = [a for a in answers if a["type"] == "error"]
    assert [e["code"] for e in errors] == ["rate_limited"], errors
    assert (close["code"], close["reason"]) == (close_codes.RATE_LIMITED, "too many frames")


async def test_a_subscribe_flood_is_cut_off_and_the_bystander_is_served(
    world, bystander, hardening_report, caplog
):
    """200 subscribes to listing topics at once: the burst's worth are served, the rest
    refused, the socket closed 4429 (logged), every subscription released; the bystander
    gets its event and nothing is stored."""
    before = await database_sync_to_async(unchanged_rows)()
    committed = await bystander.publish()
    flooder, _, _ = await open_socket("/ws/", user=world.buyer)
    frames = [{"type": "subscribe", "topic": f"listings.listing.{n}"} for n in range(FLOOD)]
    with caplog.at_level(logging.WARNING, logger="tidewire.sockets"):
        answers, close, most_served = await _flood(flooder, frames)
    _check_cut_off(answers, close)
    served = [a for a in answers if a["type"] == "subscribed"]
    assert 0 < len(served) <= most_served
    assert len(served) < FLOOD / 2  # most of the flood was refused
    assert "too many frames" in caplog.text
    await bystander.received(committed)
    await flooder.wait()
    assert connections.count() == 1  # the bystander's; the flooder's place is given back
    assert await database_sync_to_async(unchanged_rows)() == before
    hardening_report.count("flood frames (subscribe, typing, ping)", FLOOD)


async def _chat_socket(world, user) -> Client:
    client, connected, _ = await open_socket(f"/ws/chat/{world.conversation.pk}/", user=user)
    assert connected
    return client


async def test_a_typing_flood_is_cut_off_and_the_other_side_keeps_chatting(
    world, bystander, hardening_report
):
    """200 typing frames from the buyer: the seller sees at most the burst's worth of
    typing signals, the buyer is closed 4429, and the seller's next message is stored,
    acknowledged and delivered as usual; the bystander gets its event."""
    seller = await _chat_socket(world, world.seller)
    flooder = await _chat_socket(world, world.buyer)
    committed = await bystander.publish()
    frames = [{"type": "typing", "typing": n % 2 == 0} for n in range(FLOOD)]
    answers, close, most_served = await _flood(flooder, frames)
    _check_cut_off(answers, close)
    await bystander.received(committed)

    await seller.send_frame({"type": "message", "body": "Still there?", "client_id": "after"})
    seen, ack = [], None
    while ack is None:
        frame = await seller.frame()
        if frame["type"] == "ack":
            ack = frame
        seen.append(frame["type"])
    assert ack["message"]["body"] == "Still there?"
    assert 0 < seen.count("typing") <= most_served  # the flooder's signals stopped
    await seller.disconnect()
    hardening_report.count("flood frames (subscribe, typing, ping)", FLOOD)


async def test_a_flooder_on_the_multiplexed_socket_does_not_cut_its_users_other_socket(
    world, hardening_report
):
    """Frame limits are per connection: the same user's other tab keeps its socket."""
    other_tab, _, _ = await open_socket("/ws/", user=world.buyer)
    topic = conversation_topic(world.conversation.pk)
    await other_tab.send_frame({"type": "subscribe", "topic": topic})
    flooder, _, _ = await open_socket("/ws/", user=world.buyer)
    answers, close, _ = await _flood(flooder, [{"type": "ping"}] * FLOOD)
    _check_cut_off(answers, close)
    await other_tab.send_frame({"type": "ping", "ref": "still"})
    frame = await other_tab.frame()
    while frame.get("ref") != "still":
        frame = await other_tab.frame()
    assert frame == {"type": "pong", "ref": "still"}
    await other_tab.disconnect()
    hardening_report.count("flood frames (subscribe, typing, ping)", FLOOD)
