"""A login flood: how long a plain GET waits while a server hashes wrong passwords.

    .venv/bin/python -m bench.login_flood                    # about 90 s
    .venv/bin/python -m bench.login_flood --login-threads 0,2 --duration 5

The embedded default runs Django's sync code on one thread (tidewire/sync_threads.py),
and a PBKDF2 hash takes a few hundred milliseconds of CPU by design: eight clients
posting wrong passwords once kept that thread busy and a GET waited behind their
hashes. Each variant starts Tidewire fresh as `make run` serves it (development
settings, a fresh SQLite file, the in-process layer, Django's PBKDF2 hasher, one
sync thread) with `TIDEWIRE_LOGIN_THREADS` set to the variant's number (0: the
password views share the sync thread, the behaviour before the login pool), then:

1. GETs `/api/users/` with a bearer token at `--rate` a second, on a schedule
   (latency counted from the scheduled time, so a server that falls behind is
   seen), for `--duration` seconds: no flood;
2. starts `--flood-clients` clients posting wrong passwords to `/api/auth/token/`
   back to back, every try with a username of its own, waits a second, and GETs
   as in 1 for `--duration` seconds again.

The lockout would stop such a flood after 5 failures from the one address (and
the login limit soon after): the server gets TIDEWIRE_LOGIN_FAILURE_LIMIT and the
rate limits raised for the measurement, which is of what hashing costs everyone
else. Results go to bench/results/login-flood-<timestamp>.json; docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson
import uvloop

from .httpclient import HttpConnection
from .machine import cpu_seconds, describe, wait_until_quiet
from .report import RESULTS_DIR, percentile
from .targets import TIDEWIRE, RunningTarget, Workspace, start

GET_PATH = "/api/users/"
LOGIN_PATH = "/api/auth/token/"
RAMP_UP = 1.0  # seconds between starting the flood and measuring under it
GET_CONNECTIONS = 64  # keep-alive connections for the GETs: enough for 2 s waits at 20/s
REPLY_WITHIN = 60.0  # seconds for any reply; a slower one is an error
QUIET_BELOW_PCT = 10.0  # busy CPU (% of a core) under which the machine counts as quiet
UNLIMITED = "1000000/min"


@dataclass
class Phase:
    """GET latencies (ms) and server CPU over one phase."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    server_cpu_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        return {
            "gets": len(ordered),
            "p50_ms": percentile(ordered, 0.50),
            "p99_ms": percentile(ordered, 0.99),
            "max_ms": ordered[-1] if ordered else float("nan"),
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "errors": dict(self.errors),
            "server_cpu_pct": 100 * self.server_cpu_s / self.seconds if self.seconds else 0.0,
        }


def _environment(login_threads: int):
    def environment(ws: Workspace) -> dict[str, str]:
        return {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "0",
            "DATABASE_URL": f"sqlite:///{ws.database}",
            "TIDEWIRE_SYNC_THREADS": "1",  # the embedded default's, stated
            "TIDEWIRE_LOGIN_THREADS": str(login_threads),
            # Measure what hashing costs, not the limits that stop a flood from one address.
            "TIDEWIRE_LOGIN_FAILURE_LIMIT": "1000000",
            "TIDEWIRE_THROTTLE_LOGIN": UNLIMITED,
            "TIDEWIRE_THROTTLE_USER": UNLIMITED,
            "TIDEWIRE_THROTTLE_IP": UNLIMITED,
            "JWT_ACCESS_MINUTES": "120",
        }

    return environment


async def _get_on_schedule(
    running: RunningTarget, pool: asyncio.Queue[HttpConnection], rate: float, seconds: float
) -> Phase:
    phase = Phase()
    began = time.perf_counter()
    cpu_before = cpu_seconds(running.pid)

    async def one(scheduled: float) -> None:
        connection = await pool.get()
        try:
            status, _ = await connection.request("GET", GET_PATH)
            phase.statuses[status] += 1
            phase.latencies_ms.append(1000 * (time.perf_counter() - scheduled))
        except Exception as error:  # counted and reported, never hidden
            phase.errors[type(error).__name__] += 1
        finally:
            pool.put_nowait(connection)

    tasks = []
    for index in range(int(rate * seconds)):
        scheduled = began + index / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    phase.seconds = time.perf_counter() - began
    phase.server_cpu_s = cpu_seconds(running.pid) - cpu_before
    return phase


@dataclass
class FloodLog:
    """The flood's answers: statuses, and how long each login took (ms)."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)


async def _flood_client(port: int, client: int, log: FloodLog) -> None:
    """Post wrong passwords back to back, a new username each time, until cancelled."""
    connection = HttpConnection("127.0.0.1", port, reply_within=REPLY_WITHIN)
    try:
        for attempt in range(sys.maxsize):
            body = orjson.dumps({"username": f"flood-{client}-{attempt}", "password": "wrong"})
            sent = time.perf_counter()
            status, _ = await connection.request("POST", LOGIN_PATH, body)
            log.statuses[status] += 1
            log.latencies_ms.append(1000 * (time.perf_counter() - sent))
    finally:
        await connection.close()


async def _measure(running: RunningTarget, args: argparse.Namespace) -> dict[str, Any]:
    headers = running.credentials.http_headers()
    pool: asyncio.Queue[HttpConnection] = asyncio.Queue()
    for _ in range(GET_CONNECTIONS):
        pool.put_nowait(
            HttpConnection("127.0.0.1", running.port, headers, reply_within=REPLY_WITHIN)
        )
    try:
        await _get_on_schedule(running, pool, args.rate, 1.0)  # warm up: connections, caches
        quiet = await _get_on_schedule(running, pool, args.rate, args.duration)
        log = FloodLog()
        flood = [
            asyncio.create_task(_flood_client(running.port, client, log))
            for client in range(args.flood_clients)
        ]
        await asyncio.sleep(RAMP_UP)
        counted_from = len(log.latencies_ms)
        flooded = await _get_on_schedule(running, pool, args.rate, args.duration)
        logins = sorted(log.latencies_ms[counted_from:])
        for task in flood:
            task.cancel()
        await asyncio.gather(*flood, return_exceptions=True)
    finally:
        while not pool.empty():
            await pool.get_nowait().close()
    return {
        "no_flood": quiet.summary(),
        "flood": flooded.summary(),
        "login_attempts_per_s": len(logins) / flooded.seconds,
        "login_p50_ms": percentile(logins, 0.50),
        "login_statuses": {str(k): v for k, v in log.statuses.items()},
    }


def _run_variant(login_threads: int, args: argparse.Namespace) -> dict[str, Any]:
    target = replace(
        TIDEWIRE,
        name=f"tidewire-login-threads-{login_threads}",
        environment=_environment(login_threads),
        uses_redis=False,
    )
    running = start(target)
    try:
        print(f"   LOGIN_THREADS={login_threads} on port {running.port} (pid {running.pid})")
        return {"login_threads": login_threads, **uvloop.run(_measure(running, args))}
    except BaseException:
        print(f"   server log tail:\n{running.log_tail()}")
        raise
    finally:
        running.stop()


def _label(login_threads: int) -> str:
    return "shared (0)" if login_threads == 0 else f"login pool ({login_threads})"


def table(results: list[dict[str, Any]], flood_clients: int, rate: float) -> str:
    """GET latencies without and with the flood, per variant, with the ratios."""
    width = 16
    lines = [
        f"== GET {GET_PATH} at {rate:g}/s; flood: {flood_clients} clients posting wrong "
        f"passwords to {LOGIN_PATH} ==",
        f"{'':32}" + "".join(f"{_label(r['login_threads']):>{width}}" for r in results),
    ]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"{label:32}" + "".join(f"{v:>{width}}" for v in values))

    for phase in ("no_flood", "flood"):
        for stat in ("p50_ms", "p99_ms"):
            name = f"GET {stat[:3]} {'no flood' if phase == 'no_flood' else 'flood'} (ms)"
            row(name, [f"{r[phase][stat]:.1f}" for r in results])
    for stat in ("p50_ms", "p99_ms"):
        row(
            f"GET {stat[:3]} flood / no flood",
            [f"{r['flood'][stat] / r['no_flood'][stat]:.1f}x" for r in results],
        )
    row("login attempts answered/s", [f"{r['login_attempts_per_s']:.1f}" for r in results])
    row("login p50 under the flood (ms)", [f"{r['login_p50_ms']:.0f}" for r in results])
    row(
        "server CPU no flood / flood (%)",
        [
            f"{r['no_flood']['server_cpu_pct']:.0f} / {r['flood']['server_cpu_pct']:.0f}"
            for r in results
        ],
    )
    errors = [r["flood"]["errors"] or r["no_flood"]["errors"] for r in results]
    row("GET errors", [str(sum(e.values())) for e in errors])
    shared = next((r for r in results if r["login_threads"] == 0), None)
    if shared is not None:
        for stat in ("p50_ms", "p99_ms"):
            row(
                f"flood GET {stat[:3]}: shared / this",
                [f"{shared['flood'][stat] / r['flood'][stat]:.1f}x" for r in results],
            )
    return "\n".join(lines)


def _counts(text: str) -> list[int]:
    values = [int(value) for value in text.split(",") if value.strip()]
    if not values or any(value < 0 for value in values):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give thread counts, 0 or more, comma-separated"
        )
    return values


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not positive")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.login_flood",
        description="GET latency while clients post wrong passwords, login pool against none.",
    )
    parser.add_argument(
        "--login-threads",
        type=_counts,
        default=_counts("0,1,2"),
        help="TIDEWIRE_LOGIN_THREADS of each variant, in order (default 0,1,2; 0: shared)",
    )
    parser.add_argument("--duration", type=_positive, default=8.0, help="seconds per phase (8)")
    parser.add_argument("--rate", type=_positive, default=20.0, help="GETs per second (20)")
    parser.add_argument(
        "--flood-clients", type=_positive_int, default=8, help="clients posting wrong passwords (8)"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="before each variant, wait up to this long for the machine to go quiet (10)",
    )
    return parser.parse_args(argv)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: the server is stopped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    machine = describe()
    print(
        f"Machine: {machine['cpu_model']}, {machine['cores']} cores, Python {machine['python']}",
        flush=True,
    )
    results = []
    for login_threads in args.login_threads:
        if args.quiet_wait > 0:
            busy = wait_until_quiet(busy_below=QUIET_BELOW_PCT, within=args.quiet_wait)
            if busy >= QUIET_BELOW_PCT:
                print(f"   the machine is busy ({busy:.0f}% of a core); running anyway")
        results.append(_run_variant(login_threads, args))
    print(table(results, args.flood_clients, args.rate))
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"login-flood-{stamp}.json"
    document = {"created": stamp, "machine": machine, "options": vars(args), "runs": results}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    print(f"\nFull results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
