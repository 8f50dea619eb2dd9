import asyncio

import orjson
import pytest

from tidewire.outbound import Outbound
from tidewire.sender import Sender


def push(sender, text):
    sender.send_text(text)


def test_outbound_wraps_the_body_once_with_topic_and_offset():
    outbound = Outbound(topic="t.x", offset=42, type="thing", body='{"type":"thing","n":1}')
    wrapped = outbound.text(seed_format=False)
    assert outbound.text(seed_format=False) is wrapped  # built once, shared by every socket
    assert orjson.loads(wrapped) == {
        "type": "event",
        "topic": "t.x",
        "offset": 42,
        "event": {"type": "thing", "n": 1},
    }
    assert outbound.text(seed_format=True) == '{"type":"thing","n":1}'


def test_outbound_frame_bytes_are_a_complete_server_text_frame_built_once():
    outbound = Outbound(topic="t.x", offset=1, type="thing", body='{"n":1}')
    wire = outbound.frame_bytes(seed_format=True)
    assert outbound.frame_bytes(seed_format=True) is wire
    assert wire == b"\x81\x07" + b'{"n":1}'  # FIN + text opcode, length 7, no mask
    long = Outbound(topic="t.x", offset=1, type="thing", body='"' + "x" * 198 + '"')
    assert long.frame_bytes(seed_format=True)[:4] == b"\x81\x7e\x00\xc8"  # 16-bit length: 200


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
        push(sender, str(n))
    assert socket.sent == ["0", "1", "2"]  # no task, no waiting


async def test_sender_queues_in_order_behind_a_blocked_send_then_drains():
    socket = FakeSocket()
    sender = Sender(socket.send, limit=10, on_overflow=lambda: None)
    socket.writable.clear()
    for n in range(4):
        push(sender, str(n))
    await asyncio.sleep(0.01)
    assert socket.sent == []
    socket.writable.set()
    await asyncio.sleep(0.01)
    assert socket.sent == ["0", "1", "2", "3"]
    push(sender, "4")  # back on the fast path
    assert socket.sent[-1] == "4"


async def test_sender_gives_up_on_a_socket_that_stays_too_slow():
    socket = FakeSocket()
    overflowed = []
    sender = Sender(socket.send, limit=3, on_overflow=lambda: overflowed.append(True))  # bytes
    socket.writable.clear()
    for n in range(10):
        push(sender, str(n))
    assert overflowed == [True]
    assert sender.closed
    socket.writable.set()
    await asyncio.sleep(0.01)
    assert len(socket.sent) <= 1  # the blocked send may finish; nothing queued is sent


async def test_sender_stops_quietly_when_the_client_is_gone():
    async def broken(message):
        raise ConnectionResetError

    sender = Sender(broken, limit=3, on_overflow=pytest.fail)
    push(sender, "x")
    assert sender.closed


class FakeWire:
    """uvicorn's transport as the Sender sees it: open, bytes buffered, write."""

    def __init__(self):
        self.open = True
        self.buffered = 0
        self.written = []

    def write(self, data):
        self.written.append(data)


def test_sender_writes_the_shared_frame_bytes_straight_to_the_wire():
    wire = FakeWire()
    sender = Sender(pytest.fail, limit=100, on_overflow=pytest.fail)
    sender.use_wire(wire)
    outbound = Outbound(topic="t.x", offset=1, type="thing", body='{"n":1}')
    sender.send_outbound(outbound, seed_format=True)
    sender.send_text('{"type":"pong"}')
    assert wire.written[0] is outbound.frame_bytes(
        seed_format=True
    )  # the same bytes for every socket
    assert wire.written[1] == b"\x81\x0f" + b'{"type":"pong"}'


def test_sender_on_the_wire_declares_a_client_too_slow_past_the_limit():
    wire = FakeWire()
    overflowed = []
    sender = Sender(pytest.fail, limit=100, on_overflow=lambda: overflowed.append(True))
    sender.use_wire(wire)
    sender.send_text("a")
    wire.buffered = 101  # the client stopped reading
    sender.send_text("b")
    sender.send_text("c")
    assert overflowed == [True]
    assert len(wire.written) == 1


def test_sender_stops_writing_once_the_connection_is_closing():
    wire = FakeWire()
    sender = Sender(pytest.fail, limit=100, on_overflow=pytest.fail)
    sender.use_wire(wire)
    wire.open = False
    sender.send_text("a")
    assert wire.written == []
    assert sender.closed


@pytest.mark.django_db(transaction=True)
async def test_sockets_opening_together_start_one_hub(redis_layer, monkeypatch):
    """On Redis, starting the hub awaits round trips: every caller meanwhile used to start
    a hub of its own (a listener and a relay each, each channel in the control group)."""
    from channels.layers import get_channel_layer

    from tidewire.fanout import hub

    layer = get_channel_layer()
    made = []
    original = layer.new_channel

    async def new_channel(*args, **kwargs):
        made.append(await original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(layer, "new_channel", new_channel)
    await asyncio.gather(*(hub.ensure_running() for _ in range(50)))
    assert len(made) == 1 and hub.channel == made[0]
    assert len(hub._tasks) == 2  # one listener, one relay
    heard = []
    hub.on_control("tidewire.test_ping", heard.append)
    await hub.send_control({"type": "tidewire.test_ping"})
    await asyncio.sleep(0.3)
    assert len(heard) == 1  # once, not once per channel in the control group
    await hub.ensure_running()  # running: nothing new
    assert len(made) == 1
