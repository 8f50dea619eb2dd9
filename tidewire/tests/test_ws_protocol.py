"""The lean WebSocket protocol: uvicorn's, with less kept per socket and the same behaviour."""

import asyncio
import contextlib
import gc
import logging

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tidewire.serve import OPTIONS
from tidewire.testing.redis_server import free_port
from tidewire.ws_protocol import Gate, Inbox, LeanWebSocketProtocol


async def test_inbox_hands_items_over_in_order_and_waits_when_empty():
    inbox = Inbox()
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert [await inbox.get(), await inbox.get()] == [1, 2]
    assert inbox.empty()
    waiting = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already being awaited"):
        await inbox.get()
    inbox.put_nowait(3)
    assert await asyncio.wait_for(waiting, 1) == 3


async def test_inbox_drains_a_long_queue_in_order_and_starts_over_empty():
    inbox = Inbox()
    for number in range(50_000):  # one TCP read can bring thousands of small frames
        inbox.put_nowait(number)
    assert [await inbox.get() for _ in range(50_000)] == list(range(50_000))
    assert inbox.empty() and inbox._items == []  # nothing kept once drained
    inbox.put_nowait("next")
    assert await inbox.get() == "next"


async def test_inbox_get_can_be_cancelled_and_awaited_again():
    inbox = Inbox()
    waiting = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    inbox.put_nowait("after")
    assert await inbox.get() == "after"


async def test_gate_holds_waiters_while_closed():
    gate = Gate()
    assert gate.is_set() and await gate.wait()
    gate.clear()
    waiters = [asyncio.ensure_future(gate.wait()) for _ in range(2)]
    await asyncio.sleep(0.01)
    assert not any(w.done() for w in waiters)
    gate.set()
    assert await asyncio.wait_for(asyncio.gather(*waiters), 1) == [True, True]
    gate.clear()
    cancelled = asyncio.ensure_future(gate.wait())
    await asyncio.sleep(0)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert not gate._waiters  # a cancelled waiter is not kept until the next set()


async def _echo(scope, receive, send):
    assert scope["type"] == "websocket"
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message["text"].upper()})
        else:
            return


def test_tidewire_serves_with_the_lean_protocol():
    assert OPTIONS[OPTIONS.index("--ws") + 1] == "tidewire.ws_protocol:LeanWebSocketProtocol"


@contextlib.asynccontextmanager
async def _serving(app):
    """`app` under uvicorn with the lean protocol, on a free port; yields the port."""
    port = free_port()
    config = uvicorn.Config(
        app, port=port, ws="tidewire.ws_protocol:LeanWebSocketProtocol", log_level="warning"
    )
    server = uvicorn.Server(config)
    serving = asyncio.ensure_future(server.serve())
    try:
        for _ in range(250):  # up to 5 s to bind
            if server.started:
                break
            await asyncio.sleep(0.02)
        yield port
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 5)


async def test_a_real_socket_works_and_keeps_no_handshake():
    async with _serving(_echo) as port, connect(f"ws://127.0.0.1:{port}/") as socket:
        await socket.send("hello")
        assert await asyncio.wait_for(socket.recv(), 2) == "HELLO"
        (protocol,) = [o for o in gc.get_objects() if type(o) is LeanWebSocketProtocol]
        assert protocol.handshake_complete
        assert protocol.request is None and protocol.response is None
        assert isinstance(protocol.queue, Inbox) and isinstance(protocol.writable, Gate)
        await socket.send("again")
        assert await asyncio.wait_for(socket.recv(), 2) == "AGAIN"


async def test_a_text_frame_that_is_not_utf8_closes_1007_logged_in_one_line(caplog):
    """uvicorn's own protocol logged each at ERROR with a traceback."""
    caplog.set_level(logging.INFO)
    async with _serving(_echo) as port, connect(f"ws://127.0.0.1:{port}/") as socket:
        await socket.send(b"{\xff}", text=True)  # sent as a text frame, as it is
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 2)
    assert closed.value.rcvd.code == 1007
    assert "a text frame is not UTF-8 (invalid start byte)" in caplog.text
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
