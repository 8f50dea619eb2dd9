import asyncio

import orjson
import pytest

from tidewire.frames import Frame
from tidewire.sender import Sender


def test_frame_wraps_the_body_once_with_topic_and_offset():
    frame = Frame(topic="t.x", offset=42, type="thing", body='{"type":"thing","n":1}')
    wrapped = frame.topic_message
    assert frame.topic_message is wrapped  # built once, shared by every socket
    assert orjson.loads(wrapped["text"]) == {
        "type": "event",
        "topic": "t.x",
        "offset": 42,
        "event": {"type": "thing", "n": 1},
    }
    assert frame.body_message == {"type": "websocket.send", "text": '{"type":"thing","n":1}'}


class FakeSocket:
    """An ASGI send whose buffer can be made full, as a client that stops reading."""

    def __init__(self):
        self.sent = []
        self.writable = asyncio.Event()
        self.writable.set()

    async def send(self, message):
        await self.writable.wait()
        self.sent.append(message["text"])


async def test_sender_sends_at_once_while_the_socket_keeps_up():
    socket = FakeSocket()
    sender = Sender(socket.send, limit=10, on_overflow=lambda: None)
    for n in range(3):
        sender.push({"text": str(n)})
    assert socket.sent == ["0", "1", "2"]  # no task, no waiting


async def test_sender_queues_in_order_behind_a_blocked_send_then_drains():
    socket = FakeSocket()
    sender = Sender(socket.send, limit=10, on_overflow=lambda: None)
    socket.writable.clear()
    for n in range(4):
        sender.push({"text": str(n)})
    await asyncio.sleep(0.01)
    assert socket.sent == []
    socket.writable.set()
    await asyncio.sleep(0.01)
    assert socket.sent == ["0", "1", "2", "3"]
    sender.push({"text": "4"})  # back on the fast path
    assert socket.sent[-1] == "4"


async def test_sender_gives_up_on_a_socket_that_stays_too_slow():
    socket = FakeSocket()
    overflowed = []
    sender = Sender(socket.send, limit=3, on_overflow=lambda: overflowed.append(True))
    socket.writable.clear()
    for n in range(10):
        sender.push({"text": str(n)})
    assert overflowed == [True]
    assert sender.closed
    socket.writable.set()
    await asyncio.sleep(0.01)
    assert len(socket.sent) <= 1  # the blocked send may finish; nothing queued is sent


async def test_sender_stops_quietly_when_the_client_is_gone():
    async def broken(message):
        raise ConnectionResetError

    sender = Sender(broken, limit=3, on_overflow=pytest.fail)
    sender.push({"text": "x"})
    assert sender.closed
