"""A chat client process: both participants' sockets of its conversations, sending and timing.

The parent (bench/chat.py) starts a few of these (multiprocessing, spawn) and
gives each whole conversations, so a message's send time and its arrival on the
other participant's socket are seen by the same process, on the same clock.
Each opens its sockets, says ("connected", conversations open, failures,
retries), then answers commands:

    ("warm",)                  -> (conversations warm, conversations open); the
                                  first one sends a warm-up message in each
    ("send", t0_ns, duration)  -> "sending"; this process's share of the schedule
    ("count",)                 -> (copies received on either side, sent, sending done)
    ("stop",)                  -> the report below; the process then closes its sockets

Send times stay here, in a table keyed by client_id; nothing but the client_id
travels in the message. A message is *received* when the other participant's
socket gets it, *lost* when that never happens, *doubled* for every further
copy on any socket (same client_id or message id).
"""

from __future__ import annotations

import asyncio
import time
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

import orjson

from .machine import own_cpu_seconds
from .subscribers import Commands, close_all, open_with_retries, run_client_process
from .wsclient import Subscriber, open_subscriber

BODY = "Hi! Is the bike still available? I could pick it up on Saturday."
WARM_PREFIX = "w"  # client_ids of warm-up messages, not counted
IGNORED = frozenset(("presence_state", "presence_diff", "typing", "receipt", "pong"))


@dataclass(frozen=True)
class ChatClientConfig:
    """Where to connect and which conversations to hold (from the setup's chat.json)."""

    host: str
    port: int
    origin: str
    wire: str  # "tidewire" or "seed": the frames each server speaks
    conversations: list[dict[str, Any]]
    index: int  # this process's number, of `processes`: its share of the schedule
    processes: int
    rate: float  # messages a second, all processes together
    lifetime: float  # seconds; the process exits after this whatever happens
    connect_concurrency: int = 20
    connect_timeout: float = 15.0


def encode(wire: str, client_id: str) -> bytes:
    """The frame a participant sends: Tidewire's message, or seed 003's `{"message"}`."""
    if wire == "tidewire":
        return orjson.dumps({"type": "message", "body": BODY, "client_id": client_id})
    return orjson.dumps({"message": BODY, "client_id": client_id})


def decode(wire: str, frame: dict[str, Any]) -> tuple[str, str, Any]:
    """(kind, client_id, message id) of a frame from the server; kind "" if unknown."""
    kind = frame.get("type")
    if wire == "seed":
        if kind == "chat_message":
            return "message", frame["client_id"], frame["message_id"]
        return "", "", None
    if kind == "message":
        return "message", frame["message"]["client_id"], frame["message"]["id"]
    if kind in ("ack", "error"):
        return kind, frame.get("client_id", ""), None
    return ("ignored" if kind in IGNORED else ""), "", None


class Tally:
    """Everything one process saw: sends, receipts, copies, errors."""

    def __init__(self, wire: str) -> None:
        self.wire = wire
        self.sent: dict[str, tuple[int, int]] = {}  # client_id -> (send time ns, sender side)
        self.latencies_us = array("q")  # send to receipt on the other side
        self.ack_latencies_us = array("q")
        self.received = 0  # by the other side, first copy
        self.own_copies = 0  # on the sender's own socket, first copy
        self.doubled = 0
        self.acks = 0
        self.errors: Counter[str] = Counter()
        self.ignored: Counter[str] = Counter()
        self.unexpected = 0
        self.last_ns = 0


class SocketSink:
    """One participant's socket: which conversation and side, what it already received."""

    def __init__(self, tally: Tally, side: int) -> None:
        self.tally = tally
        self.side = side  # 0 buyer, 1 seller
        self.seen_client_ids: set[str] = set()
        self.seen_message_ids: set[Any] = set()
        self.warm = False

    def on_text(self, subscriber: Subscriber, payload: bytes, received_ns: int) -> None:
        tally = self.tally
        try:
            frame = orjson.loads(payload)
            kind, client_id, message_id = decode(tally.wire, frame)
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            tally.unexpected += 1
            return
        if kind == "message":
            self._message(client_id, message_id, received_ns)
        elif kind == "ack":
            sent = tally.sent.get(client_id)
            if sent is not None:
                tally.acks += 1
                tally.ack_latencies_us.append((received_ns - sent[0]) // 1000)
        elif kind == "error":
            detail = f"{frame.get('code', '')}: {frame.get('message', frame)}"
            tally.errors[detail[:120]] += 1
        elif kind == "ignored":
            tally.ignored[frame["type"]] += 1
        else:
            tally.unexpected += 1

    def _message(self, client_id: str, message_id: Any, received_ns: int) -> None:
        tally = self.tally
        if client_id.startswith(WARM_PREFIX):
            self.warm = True
            return
        sent = tally.sent.get(client_id)
        if sent is None:
            tally.unexpected += 1
            return
        if client_id in self.seen_client_ids or message_id in self.seen_message_ids:
            tally.doubled += 1
            return
        self.seen_client_ids.add(client_id)
        self.seen_message_ids.add(message_id)
        if sent[1] == self.side:
            tally.own_copies += 1
            return
        tally.received += 1
        tally.latencies_us.append((received_ns - sent[0]) // 1000)
        tally.last_ns = max(tally.last_ns, received_ns)


@dataclass
class Pair:
    """A conversation whose two sockets opened."""

    sockets: tuple[Subscriber, Subscriber]
    sinks: tuple[SocketSink, SocketSink]

    @property
    def warm(self) -> bool:
        return self.sinks[0].warm and self.sinks[1].warm


def run_chat_clients(conn: Connection, config: ChatClientConfig) -> None:
    """Process entry point."""
    run_client_process(_serve, conn, config)


async def _connect(config: ChatClientConfig, tally: Tally) -> tuple[list[Pair], Counter, int]:
    openers, sinks = [], []
    for conversation in config.conversations:
        for side, participant in enumerate(conversation["participants"]):
            sink = SocketSink(tally, side)
            sinks.append(sink)
            openers.append(
                partial(
                    open_subscriber,
                    host=config.host,
                    port=config.port,
                    path=f"/ws/chat/{conversation['id']}/{participant['query']}",
                    origin=config.origin,
                    sink=sink,
                    within=config.connect_timeout,
                    deflate=False,
                    headers=participant["headers"],
                )
            )
    sockets, failures, retries = await open_with_retries(
        openers, concurrency=config.connect_concurrency
    )
    pairs = []
    for i in range(0, len(sockets), 2):
        buyer, seller = sockets[i], sockets[i + 1]
        if buyer is not None and seller is not None:
            pairs.append(Pair((buyer, seller), (sinks[i], sinks[i + 1])))
        else:  # half a conversation cannot be measured: close the other half too
            for half in (buyer, seller):
                if half is not None:
                    half.close()
    return pairs, failures, retries


class Sender:
    """This process's share of the schedule: message g of the run leaves at t0 + g / rate."""

    def __init__(self, tally: Tally, pairs: list[Pair], config: ChatClientConfig) -> None:
        self.tally = tally
        self.pairs = pairs
        self.index = config.index
        self.processes = config.processes
        self.rate = config.rate
        self.done = not pairs
        self.not_sent = 0  # the sender's socket had closed
        self.slip_max = 0.0  # seconds the schedule ran late at worst

    async def run(self, t0_ns: int, duration: float) -> None:
        rate = self.rate
        total = int(rate * duration)
        pairs, tally, wire = self.pairs, self.tally, self.tally.wire
        if not pairs:
            return
        for i, g in enumerate(range(self.index, total, self.processes)):
            delay = (t0_ns + g * 1e9 / rate - time.time_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                self.slip_max = max(self.slip_max, -delay)
            # Round the conversations; each round the other participant speaks.
            side = (i // len(pairs)) % 2
            socket = pairs[i % len(pairs)].sockets[side]
            if socket.closed.done():
                self.not_sent += 1
                continue
            client_id = f"t{self.index}-{i}"
            tally.sent[client_id] = (time.time_ns(), side)
            socket.send_text(encode(wire, client_id))
        self.done = True


async def _warm_up(pairs: list[Pair], config: ChatClientConfig) -> None:
    """The buyer of each conversation says hello, at the run's rate; both sides must see it."""
    interval = config.processes / config.rate
    for number, pair in enumerate(pairs):
        pair.sockets[0].send_text(encode(config.wire, f"{WARM_PREFIX}{config.index}-{number}"))
        await asyncio.sleep(interval)


async def _serve(conn: Connection, config: ChatClientConfig) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + config.lifetime
    tally = Tally(config.wire)
    pairs, failures, retries = await _connect(config, tally)
    conn.send(("connected", len(pairs), dict(failures), retries))
    commands = Commands(conn)
    sender: Sender | None = None
    tasks: set[asyncio.Task[None]] = set()
    cpu_start, wall_start = own_cpu_seconds(), time.monotonic()
    try:
        while True:
            command, *arguments = await commands.next(deadline - loop.time())
            if command == "warm":
                if not tasks:
                    tasks.add(asyncio.create_task(_warm_up(pairs, config)))
                conn.send((sum(pair.warm for pair in pairs), len(pairs)))
            elif command == "send":
                t0_ns, duration = arguments
                cpu_start, wall_start = own_cpu_seconds(), time.monotonic()
                sender = Sender(tally, pairs, config)
                tasks.add(asyncio.create_task(sender.run(t0_ns, duration)))
                conn.send("sending")
            elif command == "count":
                done = sender is None or sender.done
                conn.send((tally.received + tally.own_copies, len(tally.sent), done))
            elif command == "stop":
                conn.send(_report(tally, pairs, sender, failures, cpu_start, wall_start))
                return
            elif command == "gone":
                return
    except TimeoutError:
        return  # the parent stopped talking: give up rather than linger
    finally:
        for task in tasks:
            task.cancel()
        await close_all([socket for pair in pairs for socket in pair.sockets])


def _report(
    tally: Tally,
    pairs: list[Pair],
    sender: Sender | None,
    failures: Counter,
    cpu_start: float,
    wall_start: float,
) -> dict[str, Any]:
    sockets = [socket for pair in pairs for socket in pair.sockets]
    return {
        "conversations": len(pairs),
        "connect_failures": dict(failures),
        "sent": len(tally.sent),
        "not_sent": sender.not_sent if sender else 0,
        "schedule_slip_max_s": sender.slip_max if sender else 0.0,
        "received": tally.received,
        "own_copies": tally.own_copies,
        "doubled": tally.doubled,
        "acks": tally.acks,
        "errors": dict(tally.errors),
        "ignored": dict(tally.ignored),
        "unexpected": tally.unexpected,
        "last_receipt_ns": tally.last_ns,
        "latencies_us": tally.latencies_us.tobytes(),
        "ack_latencies_us": tally.ack_latencies_us.tobytes(),
        "closed_by_server": dict(Counter(str(s.close_code) for s in sockets if s.closed.done())),
        "cpu_seconds": own_cpu_seconds() - cpu_start,
        "wall_seconds": time.monotonic() - wall_start,
    }
