"""Generated bad frames on every socket endpoint: each refused as documented, nobody else hurt.

Hypothesis draws frames no endpoint may accept (tests/hardening/socket_frames.py)
and sends them to `/ws/`, `/ws/user-updates/`, `/ws/chat/<id>/` and
`/ws/dashboard/` through the real ASGI application (origin check, token
authentication, rate limits). After each frame a `ping` probe with its own `ref`
marks the end of its answers, so a frame answered with nothing (silently dropped)
fails as surely as one answered with an undocumented code or a server failure.
Meanwhile a well-behaved client on another socket keeps getting its events, and
after every example the stored rows of every app are what they were.

One command: `.venv/bin/pytest tests/hardening/test_socket_fuzz.py` (the same
frames through a real uvicorn server, with its transport limits, are in
test_socket_fuzz_server.py).
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from hypothesis import given
from hypothesis import strategies as st

from apps.chat.topics import conversation_topic, inbox_topic
from tidewire.testing.sockets import Client, open_socket

from .socket_frames import (
    FUZZ,
    PRESENCE,
    check_refused,
    encode,
    fixed_topic_frames,
    multiplexed_frames,
    seed_chat_frames,
)
from .socket_world import Bystander, unchanged_rows

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _answers(client: Client, frame: str | bytes, probe: int) -> list[dict]:
    """Send one frame, then a ping probe: every frame the server answered before the pong."""
    # As send_to does, but an empty frame too (send_to takes none).
    field = "bytes" if isinstance(frame, bytes) else "text"
    await client.send_input({"type": "websocket.receive", field: frame})
    await client.send_frame({"type": "ping", "ref": probe})
    answers = []
    while True:
        reply = await client.frame(timeout=5)
        if reply == {"type": "pong", "ref": probe}:
            return answers
        if reply["type"] not in PRESENCE:
            answers.append(reply)


async def _fuzz(
    report,
    route: str,
    user: User,
    frames: list,
    bystander: Bystander,
    *,
    joins: tuple[str, ...] = (),
    conversation_id: int = 0,
) -> None:
    """Open `route` as `user` (joining `joins` on /ws/), send `frames`, check each answer.

    The bystander's event is committed before the frames go and read after: it
    travels while the server handles them.
    """
    before = await database_sync_to_async(unchanged_rows)()
    committed = await bystander.publish()
    endpoint = route.replace("<id>", str(conversation_id))
    client, connected, _ = await open_socket(endpoint, user=user)
    assert connected
    for topic in joins:
        await client.send_frame({"type": "subscribe", "topic": topic})
        while (await client.frame())["type"] != "subscribed":
            pass
    for probe, frame in enumerate(frames):
        text = frame if isinstance(frame, str | bytes) else encode(frame)
        check_refused(text, await _answers(client, text, probe))
    await client.disconnect()
    report.count(f"frames refused on {route}", len(frames))
    await bystander.received(committed)
    assert await database_sync_to_async(unchanged_rows)() == before


@given(frames=st.lists(fixed_topic_frames(), min_size=1, max_size=6))
@FUZZ
async def test_user_updates_refuses_every_bad_frame(world, bystander, hardening_report, frames):
    """/ws/user-updates/ (seed 001): every generated bad frame gets one documented error."""
    await _fuzz(hardening_report, "/ws/user-updates/", world.stranger, frames, bystander)


@given(frames=st.lists(fixed_topic_frames(), min_size=1, max_size=6))
@FUZZ
async def test_dashboard_refuses_every_bad_frame(world, bystander, hardening_report, frames):
    """/ws/dashboard/ (seed 004), as a super admin: every bad frame gets one documented error."""
    await _fuzz(hardening_report, "/ws/dashboard/", world.admin, frames, bystander)


@given(data=st.data())
@FUZZ
async def test_chat_refuses_every_bad_frame(world, bystander, hardening_report, data):
    """/ws/chat/<id>/ (seed 003), as a participant: bad messages, edits of the other's
    message, bad typing, receipts and seed frames each get one documented error; no
    message, receipt or edit is stored."""
    frames = data.draw(st.lists(seed_chat_frames(world.cast()), min_size=1, max_size=6))
    route = "/ws/chat/<id>/"
    await _fuzz(
        hardening_report,
        route,
        world.buyer,
        frames,
        bystander,
        conversation_id=world.conversation.pk,
    )


@given(data=st.data())
@FUZZ
async def test_multiplexed_socket_refuses_every_bad_frame(world, bystander, hardening_report, data):
    """/ws/, following a conversation and an inbox: bad subscribes (malformed, unknown,
    another user's or already followed topics, bad offsets), unsubscribes of topics not
    followed, and bad topic frames each get one documented error; nothing is stored."""
    frames = data.draw(st.lists(multiplexed_frames(world.cast()), min_size=1, max_size=6))
    joins = (conversation_topic(world.conversation.pk), inbox_topic(world.buyer.pk))
    await _fuzz(hardening_report, "/ws/", world.buyer, frames, bystander, joins=joins)
