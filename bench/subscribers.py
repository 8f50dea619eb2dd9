"""A subscriber process: many sockets on the seed endpoint, measured, driven over a pipe.

The parent starts a few of these (multiprocessing, spawn) so that receiving is
spread over the cores. Each opens its share of sockets, says
("connected", open, failures, retries), then answers commands:

    ("warm",)   -> (sockets that saw a warm-up event, sockets open)
    ("start",)  -> "started"   (the timed window opens: CPU accounting starts)
    ("count",)  -> events delivered so far
    ("stop",)   -> the report below; the process then closes its sockets and exits

Writers put their send time in the record (`first_name = "b<time_ns>"`); on each
delivery the subscriber subtracts it from the time the bytes arrived. Both clocks
are the same machine clock. Warm-up writes use the prefix "w" and are not counted.
"""

from __future__ import annotations

import asyncio
import os
import time
from array import array
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

import orjson
import uvloop

from .machine import own_cpu_seconds, raise_open_files_limit
from .wsclient import HandshakeError, Subscriber, open_subscriber

CONNECT_ATTEMPTS = 3
RECONNECT_DELAY = 1.0  # seconds before retrying a socket that failed to open
TIMED_PREFIX = "b"
WARM_PREFIX = "w"


@dataclass(frozen=True)
class SubscriberConfig:
    """Where to connect and how many sockets to hold."""

    host: str
    port: int
    path: str
    origin: str
    count: int
    lifetime: float  # seconds; the process exits after this whatever happens
    deflate: bool = False  # offer permessage-deflate, as browsers do
    connect_concurrency: int = 20  # handshakes in flight at once
    connect_timeout: float = 15.0


class Tally:
    """Counts timed deliveries, per event and in all, and their latencies, for one process."""

    def __init__(self) -> None:
        self.latencies_us = array("q")
        self.per_event: dict[int, int] = {}  # send time (the event's name) -> deliveries
        self.delivered = 0
        self.unexpected = 0
        self.last_ns = 0

    def on_text(self, subscriber: Subscriber, payload: bytes, received_ns: int) -> None:
        """Record one message: a timed event, a warm-up event, or something unexpected."""
        try:
            message = orjson.loads(payload)
            name = message["data"]["user"]["first_name"]
            timed = message["type"] == "user_update" and name[:1] == TIMED_PREFIX
            sent_ns = int(name[1:]) if timed else 0
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            self.unexpected += 1
            return
        if timed:
            self.latencies_us.append((received_ns - sent_ns) // 1000)
            self.delivered += 1
            self.per_event[sent_ns] = self.per_event.get(sent_ns, 0) + 1
            subscriber.received += 1
            if received_ns > self.last_ns:
                self.last_ns = received_ns
        elif name[:1] == WARM_PREFIX:
            subscriber.warm = True
        else:
            self.unexpected += 1


def run_subscribers(conn: Connection, config: SubscriberConfig) -> None:
    """Process entry point."""
    run_client_process(_serve, conn, config)


def run_client_process(
    serve: Callable[[Connection, Any], Awaitable[None]], conn: Connection, config: Any
) -> None:
    """A client process's life: `serve` on uvloop, the pipe closed however it ends."""
    raise_open_files_limit()
    try:
        uvloop.run(serve(conn, config))
    except (BrokenPipeError, EOFError, KeyboardInterrupt):
        pass  # the run was interrupted: the parent cleans up
    finally:
        conn.close()


async def open_with_retries(
    openers: Sequence[Callable[[], Awaitable[Subscriber]]], *, concurrency: int
) -> tuple[list[Subscriber | None], Counter[str], int]:
    """Open every socket, retrying failures as the seeds' page does.

    Returns the sockets in the order of `openers` (None where all attempts
    failed), the last error of each failure, and how many attempts were retries.
    """
    gate = asyncio.Semaphore(concurrency)
    failures: Counter[str] = Counter()
    retries = 0

    async def connect_one(opener: Callable[[], Awaitable[Subscriber]]) -> Subscriber | None:
        nonlocal retries
        last_error = ""
        for attempt in range(CONNECT_ATTEMPTS):
            if attempt:
                retries += 1
                await asyncio.sleep(RECONNECT_DELAY)
            async with gate:
                try:
                    return await opener()
                except (OSError, TimeoutError, HandshakeError) as error:
                    last_error = f"{type(error).__name__}: {error}"[:200]
        failures[last_error] += 1
        return None

    results = await asyncio.gather(*(connect_one(opener) for opener in openers))
    return list(results), failures, retries


async def _connect_all(
    config: SubscriberConfig, tally: Tally
) -> tuple[list[Subscriber], Counter[str], int]:
    """Open the sockets: (open, failures, retries)."""
    opener = partial(
        open_subscriber,
        host=config.host,
        port=config.port,
        path=config.path,
        origin=config.origin,
        sink=tally,
        within=config.connect_timeout,
        deflate=config.deflate,
    )
    results, failures, retries = await open_with_retries(
        [opener] * config.count, concurrency=config.connect_concurrency
    )
    return [s for s in results if s is not None], failures, retries


class Commands:
    """Commands from the parent, read from the pipe without blocking the loop."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        asyncio.get_running_loop().add_reader(conn.fileno(), self._readable)
        # The loop made the pipe non-blocking; a large report must still go out whole.
        os.set_blocking(conn.fileno(), True)

    def _readable(self) -> None:
        try:
            self._queue.put_nowait(self._conn.recv())
        except (EOFError, OSError):
            self._queue.put_nowait(("gone",))  # the parent went away
            asyncio.get_running_loop().remove_reader(self._conn.fileno())

    async def next(self, within: float) -> tuple[Any, ...]:
        """The next command; TimeoutError after `within` seconds."""
        async with asyncio.timeout(max(within, 0.0)):
            return await self._queue.get()


async def _serve(conn: Connection, config: SubscriberConfig) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + config.lifetime
    tally = Tally()
    sockets, failures, retries = await _connect_all(config, tally)
    conn.send(("connected", len(sockets), dict(failures), retries))
    commands = Commands(conn)
    cpu_start, wall_start = own_cpu_seconds(), time.monotonic()
    try:
        while True:
            (command,) = await commands.next(deadline - loop.time())
            if command == "warm":
                conn.send((sum(s.warm for s in sockets), sum(not s.closed.done() for s in sockets)))
            elif command == "start":
                cpu_start, wall_start = own_cpu_seconds(), time.monotonic()
                conn.send("started")
            elif command == "count":
                conn.send(tally.delivered)
            elif command == "stop":
                report = _report(tally, sockets, failures, cpu_start, wall_start)
                conn.send(report)
                return
            elif command == "gone":
                return
    except TimeoutError:
        return  # the parent stopped talking: give up rather than linger
    finally:
        await close_all(sockets)


def _report(
    tally: Tally, sockets: list[Subscriber], failures: Counter, cpu_start: float, wall_start: float
) -> dict[str, Any]:
    return {
        "connected": len(sockets),
        "compressed": sum(s.compressed for s in sockets),
        "connect_failures": dict(failures),
        "delivered": tally.delivered,
        "per_event": tally.per_event,
        "unexpected": tally.unexpected,
        "last_delivery_ns": tally.last_ns,
        "latencies_us": tally.latencies_us.tobytes(),
        "per_socket": array("q", (s.received for s in sockets)).tobytes(),
        "closed_by_server": dict(Counter(str(s.close_code) for s in sockets if s.closed.done())),
        "cpu_seconds": own_cpu_seconds() - cpu_start,
        "wall_seconds": time.monotonic() - wall_start,
    }


async def close_all(sockets: list[Subscriber]) -> None:
    for subscriber in sockets:
        subscriber.close()
    pending = [s.closed for s in sockets if not s.closed.done()]
    if pending:
        await asyncio.wait(pending, timeout=5.0)
    for subscriber in sockets:
        if not subscriber.closed.done():
            subscriber.abort()
