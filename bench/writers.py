"""Writers: PATCH /api/users/<id>/ with the send time in the value, for a fixed time.

Two modes:
- as fast as K concurrent writers go (closed loop: each waits for its reply);
- a fixed rate (open loop: a request leaves on schedule even if earlier ones are
  still waiting, on a pool of keep-alive connections).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import orjson

from .httpclient import HttpConnection, HttpError
from .subscribers import TIMED_PREFIX, WARM_PREFIX

REQUEST_TIMEOUT = 30.0  # seconds; a PATCH slower than this counts as failed


@dataclass
class PatchLog:
    """Every PATCH of a timed window."""

    ok: int = 0
    failed: int = 0
    sent_ns: list[int] = field(default_factory=list)  # the name of each successful PATCH
    statuses: Counter = field(default_factory=Counter)
    latencies_us: list[int] = field(default_factory=list)  # successful requests only
    errors: Counter = field(default_factory=Counter)
    started_ns: int = 0  # wall clock when the window opened
    elapsed: float = 0.0  # seconds from the first send to the last reply
    schedule_slip_max: float = 0.0  # rate mode: how late the ticker ran, seconds


class Endpoint:
    """The REST side of a target: where records live and which headers to send."""

    def __init__(self, port: int, headers: Mapping[str, str], host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self.headers = dict(headers)

    def connection(self) -> HttpConnection:
        return HttpConnection(self.host, self.port, self.headers, reply_within=REQUEST_TIMEOUT)

    async def record_ids(self) -> list[int]:
        """Ids of the records the writers will change (GET /api/users/)."""
        connection = self.connection()
        try:
            status, body = await connection.request("GET", "/api/users/")
        finally:
            await connection.close()
        if status != 200:
            raise RuntimeError(f"GET /api/users/ answered {status}: {body[:200]!r}")
        ids = [record["id"] for record in orjson.loads(body)]
        if not ids:
            raise RuntimeError("the target has no records to PATCH")
        return ids

    async def patch_name(self, connection: HttpConnection, record_id: int, name: str) -> int:
        """PATCH one record's first name; returns the status."""
        body = orjson.dumps({"first_name": name})
        status, _ = await connection.request("PATCH", f"/api/users/{record_id}/", body)
        return status


async def _timed_patch(
    endpoint: Endpoint, connection: HttpConnection, record_id: int, log: PatchLog
) -> None:
    started = time.perf_counter()
    sent_ns = time.time_ns()
    name = f"{TIMED_PREFIX}{sent_ns}"
    try:
        status = await endpoint.patch_name(connection, record_id, name)
    except (OSError, TimeoutError, HttpError) as error:
        log.failed += 1
        log.errors[type(error).__name__] += 1
        return
    log.statuses[status] += 1
    if status == 200:
        log.ok += 1
        log.sent_ns.append(sent_ns)
        log.latencies_us.append(int((time.perf_counter() - started) * 1_000_000))
    else:
        log.failed += 1


async def write_flat_out(
    endpoint: Endpoint, record_ids: Sequence[int], *, writers: int, duration: float
) -> PatchLog:
    """K writers, each on its own connection and record, PATCH back to back."""
    log = PatchLog(started_ns=time.time_ns())
    began = time.perf_counter()
    deadline = began + duration

    async def writer(index: int) -> None:
        connection = endpoint.connection()
        record_id = record_ids[index % len(record_ids)]
        try:
            while time.perf_counter() < deadline:
                await _timed_patch(endpoint, connection, record_id, log)
        finally:
            await connection.close()

    await asyncio.gather(*(writer(i) for i in range(writers)))
    log.elapsed = time.perf_counter() - began
    return log


async def write_at_rate(
    endpoint: Endpoint,
    record_ids: Sequence[int],
    *,
    rate: float,
    duration: float,
    connections: int,
) -> PatchLog:
    """PATCH `rate` times a second for `duration` seconds, over a pool of connections."""
    log = PatchLog(started_ns=time.time_ns())
    pool: asyncio.Queue[HttpConnection] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(endpoint.connection())
    total = int(rate * duration)
    began = time.perf_counter()

    queued: set[asyncio.Task[None]] = set()  # scheduled, still waiting for a free connection

    async def one(index: int) -> None:
        connection = await pool.get()
        queued.discard(asyncio.current_task())
        try:
            await _timed_patch(endpoint, connection, record_ids[index % len(record_ids)], log)
        finally:
            pool.put_nowait(connection)

    tasks = []
    for index in range(total):
        delay = began + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            log.schedule_slip_max = max(log.schedule_slip_max, -delay)
        task = asyncio.create_task(one(index))
        queued.add(task)
        tasks.append(task)
    # The window is over: a PATCH still waiting for a connection was never sent, because
    # the server fell behind the rate; the ones in flight get their replies.
    await asyncio.sleep(0)  # the last ones scheduled take a free connection if there is one
    for task in queued:
        task.cancel()
        log.failed += 1
        log.errors["not sent: the server fell behind the rate"] += 1
    if tasks:
        await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT + 5)
    log.elapsed = time.perf_counter() - began
    while not pool.empty():
        await pool.get_nowait().close()
    return log


async def warm_up_patch(endpoint: Endpoint, record_id: int, index: int) -> int:
    """One untimed PATCH that subscribers use to tell they are live."""
    connection = endpoint.connection()
    try:
        return await endpoint.patch_name(connection, record_id, f"{WARM_PREFIX}{index}")
    finally:
        await connection.close()
