"""The soak's clients: sockets that follow a topic, drop now and then and resume from their offset.

A `Follower` counts every event it receives by offset (across reconnects), so the
run can tell a lost event (an offset never seen) from a doubled one (seen twice).
Live events carry a key the writers put in them (a record's first name, a chat
message's client_id); the time from the write to its arrival is the delivery
latency, kept per window of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import websockets

RECONNECT_AFTER = (0.2, 2.0)  # seconds away after a drop, uniformly (a flaky network)
SETTLE_TIMEOUT = 60.0  # seconds for a final resume to reach the stream's end


@dataclass
class Latencies:
    """Delivery latencies (ms) by window of the run, from the write's start to the arrival."""

    window_seconds: float
    began: float = field(default_factory=time.monotonic)
    by_window: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    sent_at: dict[str, float] = field(default_factory=dict)  # key → when its write began

    def sent(self, key: str) -> None:
        self.sent_at[key] = time.monotonic()

    def arrived(self, key: str | None) -> None:
        started = self.sent_at.get(key) if key is not None else None
        if started is not None:
            now = time.monotonic()
            self.by_window[int((now - self.began) // self.window_seconds)].append(
                (now - started) * 1000
            )


@dataclass
class Follower:
    """One socket on /ws/ following one topic; drops itself every `drop_every` s on average."""

    url: str  # ws://host:port/ws/?token=...
    origin: str
    topic: str
    key_of: Callable[[dict[str, Any]], str | None]  # the writer's key in an event body
    latencies: Latencies
    drop_every: float
    rng: random.Random
    start: int | None = None  # the stream's offset at the first subscription
    offset: int | None = None
    end: int | None = None  # the stream's offset at the final resume
    seen: Counter[int] = field(default_factory=Counter)
    drops: int = 0
    resets: int = 0
    errors: int = 0
    socket: Any = None
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, stop: asyncio.Event) -> None:
        """Follow until `stop`, dropping and coming back now and then."""
        while not stop.is_set():
            stay = self.rng.expovariate(1 / self.drop_every)
            try:
                await asyncio.wait_for(self._follow(stop), stay)
            except TimeoutError:
                self.drops += 1  # our own drop: the connection is gone mid-stream
            except (OSError, websockets.WebSocketException):
                self.errors += 1
            self.socket = None
            await asyncio.sleep(self.rng.uniform(*RECONNECT_AFTER))

    async def settle(self) -> None:
        """Resume once more and read up to the stream's end (the `subscribed` offset)."""
        await asyncio.wait_for(self._follow(None), SETTLE_TIMEOUT)

    async def send(self, frame: dict[str, Any]) -> bool:
        """Send a frame about the topic if connected and subscribed; False otherwise."""
        if self.socket is None or not self.subscribed.is_set():
            return False
        try:
            await self.socket.send(orjson.dumps({**frame, "topic": self.topic}).decode())
        except websockets.WebSocketException:
            return False
        return True

    def lost_and_doubled(self) -> tuple[int, int, int]:
        """(events expected, lost, doubled) between the first offset and the last."""
        assert self.start is not None and self.end is not None
        expected = range(self.start + 1, self.end + 1)
        lost = sum(1 for offset in expected if offset not in self.seen)
        doubled = sum(count - 1 for count in self.seen.values())
        return len(expected), lost, doubled

    async def _follow(self, stop: asyncio.Event | None) -> None:
        self.subscribed.clear()
        async with websockets.connect(self.url, origin=self.origin, max_queue=None) as socket:
            frame: dict[str, Any] = {"type": "subscribe", "topic": self.topic}
            if self.offset is not None:
                frame["offset"] = self.offset
            await socket.send(orjson.dumps(frame).decode())
            self.socket = socket
            async for raw in socket:
                if self._receive(orjson.loads(raw)) and stop is None:
                    return  # settled: the resume reached the stream's end
                if stop is not None and stop.is_set():
                    return

    def _receive(self, frame: dict[str, Any]) -> bool:
        kind = frame.get("type")
        if kind == "event" and frame.get("topic") == self.topic:
            self.seen[frame["offset"]] += 1
            self.offset = frame["offset"]
            if self.subscribed.is_set():  # live, not replayed after a drop
                self.latencies.arrived(self.key_of(frame["event"]))
        elif kind == "subscribed":
            if self.start is None:
                self.start = frame["offset"]
            if self.offset is None or frame["offset"] > self.offset:
                self.offset = frame["offset"]
            self.end = frame["offset"]
            self.subscribed.set()
            return True
        elif kind == "reset":
            self.resets += 1
        elif kind == "error":
            self.errors += 1
        return False


def record_key(body: dict[str, Any]) -> str | None:
    return body.get("data", {}).get("user", {}).get("first_name")


def chat_key(body: dict[str, Any]) -> str | None:
    return body.get("message", {}).get("client_id") if body.get("type") == "message" else None


def no_key(body: dict[str, Any]) -> None:
    return None


async def stop_all(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
