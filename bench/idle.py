"""Idle sockets: server memory and CPU per open socket, heartbeats on.

    .venv/bin/python -m bench.idle                     # 10,000 sockets, both targets
    .venv/bin/python -m bench.idle --sockets 2000 --hold 25

Each target starts fresh (as in bench.run), warms up, and its resident memory is
read; then `--sockets` sockets open on /ws/user-updates/ and stay open for
`--hold` seconds, long enough for the servers' 20 s protocol pings (answered by
the clients) to go round once. Reported: memory per socket (RSS growth divided by
sockets), and the server's CPU while they sit idle.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

import uvloop

from .machine import cpu_seconds, describe, raise_open_files_limit, rss_kib
from .targets import TARGETS, RunningTarget, start
from .wsclient import Subscriber, open_subscriber

SOCKET_PATH = "/ws/user-updates/"
# Handshakes in flight at once: the baseline's Redis pool refuses bursts of ~50.
CONCURRENT_OPENS = 20
OPEN_TIMEOUT = 30.0
RESULTS = Path(__file__).resolve().parent / "results"


class _Ignore:
    def on_text(self, subscriber: Subscriber, payload: bytes, received_ns: int) -> None:
        pass


async def open_idle_sockets(*, port: int, path: str, count: int) -> list[Subscriber]:
    """Open `count` listening sockets on the local server, a few handshakes at a time."""
    sockets: list[Subscriber] = []
    gate = asyncio.Semaphore(CONCURRENT_OPENS)

    async def one() -> None:
        async with gate:
            for _attempt in range(3):
                try:
                    sockets.append(
                        await open_subscriber(
                            host="127.0.0.1",
                            port=port,
                            path=path,
                            origin=f"http://127.0.0.1:{port}",
                            sink=_Ignore(),
                            within=OPEN_TIMEOUT,
                            deflate=False,
                        )
                    )
                    return
                except Exception:  # refused or timed out: retry, as a page would
                    await asyncio.sleep(1)

    await asyncio.gather(*(one() for _ in range(count)))
    return sockets


async def _open(running: RunningTarget, count: int) -> list[Subscriber]:
    path = SOCKET_PATH + running.credentials.websocket_query()
    return await open_idle_sockets(port=running.port, path=path, count=count)


async def measure(running: RunningTarget, *, sockets: int, hold: float) -> dict[str, Any]:
    """Memory per idle socket and idle CPU for one running target."""
    warm = await _open(running, 50)  # imports, pools and caches, paid once
    for socket in warm:
        socket.close()
    await asyncio.sleep(2)
    before = rss_kib(running.pid)
    started = time.monotonic()
    opened = await _open(running, sockets)
    open_seconds = time.monotonic() - started
    await asyncio.sleep(2)  # let the last handshakes settle
    cpu_start, clock_start = cpu_seconds(running.pid), time.monotonic()
    await asyncio.sleep(hold)
    idle_cpu = (cpu_seconds(running.pid) - cpu_start) / (time.monotonic() - clock_start)
    after = rss_kib(running.pid)
    alive = sum(1 for s in opened if not s.closed.done())
    for socket in opened:
        socket.close()
    return {
        "target": running.target.name,
        "sockets_requested": sockets,
        "sockets_open": len(opened),
        "sockets_alive_after_hold": alive,
        "open_seconds": round(open_seconds, 1),
        "rss_before_kib": before,
        "rss_after_kib": after,
        "kib_per_socket": round((after - before) / max(1, len(opened)), 2),
        "idle_cpu_pct": round(100 * idle_cpu, 1),
        "hold_seconds": hold,
    }


async def _run(targets: list[str], sockets: int, hold: float) -> list[dict[str, Any]]:
    results = []
    for name in targets:
        running = start(TARGETS[name])
        try:
            results.append(await measure(running, sockets=sockets, hold=hold))
        finally:
            running.stop()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.idle", description=__doc__)
    parser.add_argument("--targets", default="baseline,tidewire")
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--hold", type=float, default=25.0)
    args = parser.parse_args(argv)
    raise_open_files_limit(4 * args.sockets)
    results = uvloop.run(_run(args.targets.split(","), args.sockets, args.hold))
    print(f"{'':28}" + "".join(f"{r['target']:>12}" for r in results))
    for key in ("sockets_open", "sockets_alive_after_hold", "open_seconds", "rss_before_kib",
                "rss_after_kib", "kib_per_socket", "idle_cpu_pct"):  # fmt: skip
        print(f"{key:28}" + "".join(f"{r[key]:>12}" for r in results))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / time.strftime("idle-%Y%m%dT%H%M%SZ.json", time.gmtime())
    path.write_text(json.dumps({"machine": describe(), "results": results}, indent=1))
    print(f"Full results: {path}")


if __name__ == "__main__":
    main()
