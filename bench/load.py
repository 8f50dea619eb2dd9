"""One scenario against one running target: subscribe, warm up, write, drain, collect.

The subscribers live in a few child processes (see subscribers.py); the writers,
the memory sampler and the bookkeeping run here. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from .machine import cpu_seconds, machine_busy_seconds, own_cpu_seconds, peak_rss_kib, rss_kib
from .profiler import Profile
from .scenarios import Scenario
from .subscribers import SubscriberConfig, run_subscribers
from .targets import RunningTarget
from .writers import Endpoint, PatchLog, warm_up_patch, write_at_rate, write_flat_out

SOCKET_PATH = "/ws/user-updates/"
CONNECT_BUDGET = 120.0  # seconds for every subscriber process to open its sockets
WARM_UP_BUDGET = 30.0  # seconds for one warm-up event to reach every socket
WARM_UP_INTERVAL = 0.5  # seconds between warm-up PATCHes
STALL = 3.0  # seconds without a new delivery after which draining stops early
RSS_INTERVAL = 0.1  # seconds between memory samples
REPLY_TIMEOUT = 60.0  # seconds for a subscriber process to answer a command


class LoadError(RuntimeError):
    """The scenario could not be run (sockets would not open, events never arrived)."""


@dataclass
class Measurement:
    """Raw figures of one scenario on one target."""

    scenario: Scenario
    target: str
    patches: PatchLog
    subscribers: int = 0
    compressed: int = 0  # sockets on which the server agreed to permessage-deflate
    connect_failures: dict[str, int] = field(default_factory=dict)  # sockets never opened
    connect_retries: int = 0  # failed attempts that a retry then opened (or gave up on)
    warm: bool = False
    delivered: int = 0
    unexpected: int = 0
    latencies_us: array = field(default_factory=lambda: array("q"))
    per_event: dict[int, int] = field(default_factory=dict)  # event (send time) -> deliveries
    per_socket: array = field(default_factory=lambda: array("q"))
    closed_by_server: dict[str, int] = field(default_factory=dict)
    last_delivery_ns: int = 0
    drain_seconds: float = 0.0
    window_seconds: float = 0.0  # from the first PATCH to the end of draining
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per process kind
    rss_connected_kib: int = 0
    rss_peak_kib: int = 0
    rss_high_water_kib: int = 0  # VmHWM: the peak since the server started
    server_log: str = ""  # the end of the server's output, for the JSON file


class ClientProcess:
    """A client process (subscribers by default) and the pipe to it."""

    def __init__(
        self, config: Any, entry: Callable[[Connection, Any], None] = run_subscribers
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=entry, args=(child, config), daemon=True)
        self.process.start()
        child.close()

    async def reply(self, within: float) -> Any:
        """The next message from the process, waiting at most `within` seconds."""
        if not self.conn.poll():
            await _readable(self.conn, within)
        return self.conn.recv()

    async def ask(self, command: str, *arguments: Any, within: float = REPLY_TIMEOUT) -> Any:
        """Send a command (with its arguments) and return the answer."""
        self.conn.send((command, *arguments))
        return await self.reply(within)

    def end(self) -> None:
        """Hang up (the process then closes its sockets and exits); terminate it if it lingers."""
        self.conn.close()
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)


async def _readable(conn: Connection, within: float) -> None:
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(conn.fileno(), lambda: ready.done() or ready.set_result(None))
    try:
        async with asyncio.timeout(within):
            await ready
    except TimeoutError:
        raise LoadError(f"a subscriber process did not answer within {within}s") from None
    finally:
        loop.remove_reader(conn.fileno())
        os.set_blocking(conn.fileno(), True)  # the loop made it non-blocking; recv needs it whole


def shares(total: int, parts: int) -> list[int]:
    parts = max(1, min(parts, total))
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


class RssSampler:
    """Samples a process's resident memory in the background and keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kib = rss_kib(pid)
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            await asyncio.sleep(RSS_INTERVAL)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> int:
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task])  # unlike awaiting it, lets our own cancel through
        self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
        return self.peak_kib


async def measure(
    running: RunningTarget, scenario: Scenario, processes: int, profile: Path | None = None
) -> Measurement:
    """Run the scenario against the target and return what was measured.

    With `profile`, py-spy samples the server during the writes into that file.
    """
    endpoint = Endpoint(running.port, running.credentials.http_headers())
    record_ids = await endpoint.record_ids()
    lifetime = CONNECT_BUDGET + WARM_UP_BUDGET + scenario.duration + scenario.drain + 180
    clients = [
        ClientProcess(
            SubscriberConfig(
                host="127.0.0.1",
                port=running.port,
                path=SOCKET_PATH + running.credentials.websocket_query(),
                origin=running.origin,
                count=share,
                lifetime=lifetime,
                deflate=scenario.deflate,
            )
        )
        for share in shares(scenario.subscribers, processes)
    ]
    try:
        return await _measure(running, scenario, endpoint, record_ids, clients, profile)
    finally:
        for client in clients:
            client.end()


async def _measure(
    running: RunningTarget,
    scenario: Scenario,
    endpoint: Endpoint,
    record_ids: list[int],
    clients: list[ClientProcess],
    profile: Path | None,
) -> Measurement:
    result = Measurement(scenario=scenario, target=running.target.name, patches=PatchLog())
    for client in clients:
        _, connected, failures, retries = await client.reply(CONNECT_BUDGET)
        result.subscribers += connected
        result.connect_retries += retries
        for error, count in failures.items():
            result.connect_failures[error] = result.connect_failures.get(error, 0) + count
    if result.subscribers == 0:
        raise LoadError(f"no socket opened on {running.target.name}: {result.connect_failures}")
    result.rss_connected_kib = rss_kib(running.pid)
    result.warm = await _warm_up(endpoint, record_ids[0], clients)

    sampler = RssSampler(running.pid)
    sampler.start()
    cpu_start = cpu_snapshot(running)
    for client in clients:
        await client.ask("start")
    began = time.perf_counter()
    profiler = Profile(running.pid, profile, scenario.duration) if profile else None
    if scenario.rate is None:
        log = await write_flat_out(
            endpoint, record_ids, writers=scenario.writers, duration=scenario.duration
        )
    else:
        log = await write_at_rate(
            endpoint,
            record_ids,
            rate=scenario.rate,
            duration=scenario.duration,
            connections=scenario.writers,
        )
    result.patches = log
    writes_ended = time.perf_counter()
    last_progress = await _drain(
        clients, expected=log.ok * result.subscribers, limit=scenario.drain
    )
    result.drain_seconds = time.perf_counter() - writes_ended
    # CPU shares are over the busy part: a drain that waits out a stall adds idle time only.
    result.window_seconds = max(writes_ended, last_progress) - began
    reports = [await client.ask("stop") for client in clients]
    if profiler is not None:
        profiler.wait()
    cpu_end = cpu_snapshot(running)
    result.rss_peak_kib = await sampler.stop()
    result.rss_high_water_kib = peak_rss_kib(running.pid)
    result.cpu_seconds = cpu_spent(
        cpu_start, cpu_end, subscribers=sum(r["cpu_seconds"] for r in reports)
    )
    _merge_reports(result, reports)
    return result


async def _warm_up(endpoint: Endpoint, record_id: int, clients: list[ClientProcess]) -> bool:
    """PATCH until every open socket has seen an event: all are subscribed for real."""
    deadline = time.perf_counter() + WARM_UP_BUDGET
    index = 0
    while time.perf_counter() < deadline:
        await warm_up_patch(endpoint, record_id, index)
        index += 1
        await asyncio.sleep(WARM_UP_INTERVAL)
        answers = [await client.ask("warm") for client in clients]
        if all(warm >= open_ for warm, open_ in answers):
            return True
    return False


async def _drain(clients: list[ClientProcess], *, expected: int, limit: float) -> float:
    """Wait until every expected delivery arrived, progress stalls, or `limit` passes.

    Returns when the last delivery was seen (perf_counter time, to 0.1 s).
    """
    deadline = time.perf_counter() + limit
    last_count, last_change = -1, time.perf_counter()
    while time.perf_counter() < deadline:
        count = sum([await client.ask("count") for client in clients])
        now = time.perf_counter()
        if count != last_count:
            last_count, last_change = count, now
        if count >= expected:
            break
        if now - last_change > STALL:
            break
        await asyncio.sleep(0.1)
    return last_change


def cpu_snapshot(running: RunningTarget) -> dict[str, float]:
    """CPU seconds so far of the server, its Redis, this process and the whole machine."""
    snapshot = {
        "server": cpu_seconds(running.pid),
        "writers": own_cpu_seconds(),
        "machine": machine_busy_seconds(),
    }
    if running.redis is not None and running.redis.process is not None:
        snapshot["redis"] = cpu_seconds(running.redis.process.pid)
    return snapshot


def cpu_spent(start: dict[str, float], end: dict[str, float], **clients: float) -> dict[str, float]:
    """CPU seconds per kind between two snapshots, with the client processes' own figures.

    `other` is whatever else ran on the machine meanwhile: figures are only
    comparable when it is near 0.
    """
    spent = {kind: end[kind] - start[kind] for kind in start}
    spent.update(clients)
    ours = sum(v for k, v in spent.items() if k != "machine")
    spent["other"] = max(0.0, spent.pop("machine") - ours)
    return spent


def _merge_reports(result: Measurement, reports: list[dict[str, Any]]) -> None:
    for report in reports:
        result.delivered += report["delivered"]
        result.compressed += report["compressed"]
        result.unexpected += report["unexpected"]
        result.last_delivery_ns = max(result.last_delivery_ns, report["last_delivery_ns"])
        result.latencies_us.frombytes(report["latencies_us"])
        for event, count in report["per_event"].items():
            result.per_event[event] = result.per_event.get(event, 0) + count
        result.per_socket.frombytes(report["per_socket"])
        for code, count in report["closed_by_server"].items():
            result.closed_by_server[code] = result.closed_by_server.get(code, 0) + count
