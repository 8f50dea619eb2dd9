"""Signals, presence and closing a user's sockets between real server processes over Redis."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
import websockets

from tidewire import close_codes
from tidewire.connections import aclose_user_sockets
from tidewire.events import EventType
from tidewire.models import Event
from tidewire.publish import asignal
from tidewire.testing.sockets import access_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis]

TYPING = EventType("cross_process_typing", {"user": int, "typing": bool})


async def connect(server, user, topic: str):
    ws = await websockets.connect(
        f"{server.ws_url}/ws/?token={access_token(user)}", origin=server.url
    )
    await ws.send(orjson.dumps({"type": "subscribe", "topic": topic}).decode())
    assert orjson.loads(await ws.recv())["type"] == "subscribed"
    return ws


async def next_of(ws, kind: str, timeout: float = 10) -> dict:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        frame = orjson.loads(
            await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
        )
        if frame["type"] == kind:
            return frame


async def test_a_signal_reaches_sockets_on_every_process_and_is_not_stored(
    servers, editor, redis_layer
):
    first, second = servers(), servers()
    on_first = await connect(first, editor, "twtest.open.1")
    on_second = await connect(second, editor, "twtest.open.1")
    stored_before = await Event.objects.acount()
    await asignal(topic="twtest.open.1", event=TYPING, user=editor.pk, typing=True)
    for ws in (on_first, on_second):
        frame = await next_of(ws, "signal")
        assert frame == {
            "type": "signal",
            "topic": "twtest.open.1",
            "event": {"type": "cross_process_typing", "user": editor.pk, "typing": True},
        }
    assert await Event.objects.acount() == stored_before  # ephemeral: no offset, no row
    await on_first.close()
    await on_second.close()


async def test_presence_spans_processes_and_a_dead_process_expires(servers, editor, reader):
    timing = {"TIDEWIRE_PRESENCE_REFRESH": "1", "TIDEWIRE_PRESENCE_TIMEOUT": "3"}
    first, second = servers(**timing), servers(**timing)
    ann = await connect(first, editor, "twtest.presence.1")
    assert set((await next_of(ann, "presence_state"))["presences"]) == {str(editor.pk)}
    bob = await connect(second, reader, "twtest.presence.1")
    state = await next_of(bob, "presence_state")
    joined = await next_of(ann, "presence_diff")
    assert set(joined["joins"]) == {str(reader.pk)}
    if str(editor.pk) not in state["presences"]:  # learnt from the first process's answer
        assert set((await next_of(bob, "presence_diff"))["joins"]) == {str(editor.pk)}
    second.kill()  # no goodbye: its users must still go
    killed_at = time.monotonic()
    left = await next_of(ann, "presence_diff", timeout=15)
    assert set(left["leaves"]) == {str(reader.pk)}
    assert time.monotonic() - killed_at < 3 + 2  # the timeout, plus a resync or two
    await ann.close()


async def test_closing_a_users_sockets_reaches_every_process(servers, editor, reader, redis_layer):
    first, second = servers(), servers()
    mine = [
        await connect(first, editor, "twtest.open.2"),
        await connect(second, editor, "twtest.open.2"),
    ]
    other = await connect(second, reader, "twtest.open.2")
    await aclose_user_sockets(editor.pk, code=close_codes.UNAUTHORIZED, reason="logged out")
    for ws in mine:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
            close_codes.UNAUTHORIZED,
            "logged out",
        )
    await other.send('{"type":"ping"}')
    assert orjson.loads(await other.recv())["type"] == "pong"  # other users keep their sockets
    await other.close()
