"""The soak: mixed traffic for a long while, clients dropping and coming back (by hand, not CI).

    .venv/bin/python -m bench.soak --minutes 30            # PostgreSQL + Redis (tidewire-pg)
    .venv/bin/python -m bench.soak --minutes 1 --target embedded   # quick check, SQLite

One server process (python -m config.serve) with demo data: record PATCHes as
the demo admin, chat messages sent over the socket between buyers and sellers
(each retried with its client_id until acknowledged), reservations created for
the dashboard. Followers on /ws/ (records, each conversation's two participants,
the dashboard) drop their connection every `--drop-every` seconds on average
and resume from their offset. Reported: the server's memory (VmRSS) growth per
hour from a linear fit after the warm-up, delivery latency p50/p99 per window,
the drift of p99 from the first window to the last, and events lost and
doubled per follower (every offset between its first subscription and a final
resume, seen exactly once). docs/reliability.md, section 5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from .chat_targets import CHAT_TARGETS
from .machine import describe, headline, raise_open_files_limit, rss_kib
from .report import percentile
from .run import exit_on_sigterm
from .soak_clients import Follower, Latencies, chat_key, no_key, record_key, stop_all
from .targets import RunningTarget, Target, start, tidewire_credentials

RESULTS_DIR = Path(__file__).resolve().parent / "results"
RSS_EVERY = 10.0  # seconds between memory samples
WARM_UP_SHARE = 0.2  # the first fifth of the run is left out of the memory fit
SETTLE_PAUSE = 3.0  # seconds after the writers stop, before the final resumes

# The soak's clients are a few accounts from one address reconnecting all the
# time: lift the replay and send limits so they measure the server, not its caps.
SOAK_ENV = {
    "TIDEWIRE_REPLAY_RATE": "1000000/min",
    "TIDEWIRE_THROTTLE_CHAT_SEND": "1000000/min",
}
SEED_DEMO = ("manage.py", "seed_demo")


def soak_target(args: argparse.Namespace) -> Target:
    """The chat benchmark's target with demo data (the admin edits records) and lifted caps."""
    chat = CHAT_TARGETS["tidewire-pg" if args.target == "pg" else "tidewire-embedded"]
    prepared = chat.prepared(args.conversations)
    environment = prepared.environment
    tokens = {"JWT_ACCESS_MINUTES": str(int(args.minutes) + 60)}  # they outlive the run
    return replace(
        prepared,
        environment=lambda ws: {**environment(ws), **SOAK_ENV, **tokens},
        setup=(*prepared.setup, SEED_DEMO),
        credentials=tidewire_credentials,
    )


async def soak(running: RunningTarget, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    latencies = {kind: Latencies(args.window * 60) for kind in ("records", "chat")}
    token = running.credentials.token
    conversations = json.loads((running.workspace.dir / "chat.json").read_text())["conversations"]
    ws = f"ws://127.0.0.1:{running.port}/ws/"

    def follower(query: str, topic: str, key_of, kind: str | None) -> Follower:
        latency = latencies[kind] if kind else Latencies(args.window * 60)
        return Follower(
            f"{ws}{query}", running.origin, topic, key_of, latency, args.drop_every, rng
        )

    records = [
        follower(f"?token={token}", "records.users", record_key, "records")
        for _ in range(args.record_followers)
    ]
    dashboard = [
        follower(f"?token={token}", "bookings.dashboard", no_key, None)
        for _ in range(args.dashboard_followers)
    ]
    rooms = [
        [
            follower(p["query"], f"chat.conversation.{c['id']}", chat_key, "chat")
            for p in c["participants"]
        ]
        for c in conversations
    ]
    followers = records + dashboard + [f for room in rooms for f in room]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(f.run(stop)) for f in followers]
    for f in followers:
        await asyncio.wait_for(f.subscribed.wait(), 60)
    counts = {"patches": 0, "messages": 0, "reservations": 0, "rest_errors": 0}
    rest_ms: dict[int, list[float]] = {}
    rss: list[tuple[float, int]] = []
    began = time.monotonic()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=running.origin, headers=headers, timeout=30) as http:
        users = [u["id"] for u in rows(await http.get("/api/users/"))][:5]
        businesses = rows(await http.get("/api/businesses/"))

        async def timed(method: str, path: str, body: dict[str, Any]) -> None:
            t0 = time.monotonic()
            response = await http.request(method, path, json=body)
            window = int((t0 - began) // (args.window * 60))
            rest_ms.setdefault(window, []).append((time.monotonic() - t0) * 1000)
            if response.status_code >= 400:
                counts["rest_errors"] += 1

        async def patch_records() -> None:
            for n in range(10**9):
                key = f"soak-{n}"
                latencies["records"].sent(key)
                await timed("PATCH", f"/api/users/{rng.choice(users)}/", {"first_name": key})
                counts["patches"] += 1
                await asyncio.sleep(1 / args.patch_rate)

        async def make_reservations() -> None:
            for n in range(10**9):
                starts = datetime.now(UTC) + timedelta(days=30, minutes=n)
                body = {
                    "business": rng.choice(businesses)["id"],
                    "customer_name": f"Soak {n}",
                    "customer_email": f"soak{n}@example.com",
                    "service": "Haircut",
                    "starts_at": starts.isoformat(),
                }
                await timed("POST", "/api/reservations/", body)
                counts["reservations"] += 1
                await asyncio.sleep(1 / args.reservation_rate)

        async def chat(room: list[Follower], index: int) -> None:
            pending: list[dict[str, Any]] = []
            for n in range(10**9):
                sender = room[n % 2]
                client_id = f"soak-{index}-{n}"
                pending.append({"type": "message", "body": f"hello {n}", "client_id": client_id})
                # A message waits while its sender is away (latency counts from its send).
                while pending:
                    latencies["chat"].sent(pending[0]["client_id"])
                    if not await sender.send(pending[0]):
                        break
                    pending.pop(0)
                    counts["messages"] += 1
                await asyncio.sleep(len(rooms) / args.chat_rate)

        async def sample_memory() -> None:
            while True:
                rss.append((time.monotonic() - began, rss_kib(running.pid)))
                await asyncio.sleep(RSS_EVERY)

        writers = [
            asyncio.create_task(patch_records()),
            asyncio.create_task(make_reservations()),
            asyncio.create_task(sample_memory()),
            *(asyncio.create_task(chat(room, i)) for i, room in enumerate(rooms)),
        ]
        await asyncio.sleep(args.minutes * 60)
        await stop_all(writers)
    stop.set()
    await stop_all(tasks)
    await asyncio.sleep(SETTLE_PAUSE)
    for f in followers:
        await f.settle()
    return summarize(args, followers, counts, latencies, rest_ms, rss)


def rows(response: httpx.Response) -> list[dict[str, Any]]:
    """A list answer's rows, paginated or not."""
    body = response.raise_for_status().json()
    return body["results"] if isinstance(body, dict) else body


def summarize(args, followers, counts, latencies, rest_ms, rss) -> dict[str, Any]:
    checked = lost = doubled = 0
    for f in followers:
        expected, f_lost, f_doubled = f.lost_and_doubled()
        checked, lost, doubled = checked + expected, lost + f_lost, doubled + f_doubled

    def p(values: list[float], fraction: float) -> float:
        return round(percentile(sorted(values), fraction), 1) if values else 0.0

    windows = []
    for w in range(int(args.minutes // args.window) or 1):
        row = {"window": w, "from_minute": w * args.window}
        for kind, series in (*((k, v.by_window[w]) for k, v in latencies.items()),
                             ("rest", rest_ms.get(w, []))):  # fmt: skip
            row[kind] = {"n": len(series), "p50_ms": p(series, 0.5), "p99_ms": p(series, 0.99)}
        windows.append(row)
    warm = [(t, kib) for t, kib in rss if t >= args.minutes * 60 * WARM_UP_SHARE]
    return {
        "minutes": args.minutes,
        "operations": counts,
        "followers": len(followers),
        "drops": sum(f.drops for f in followers),
        "socket_errors": sum(f.errors for f in followers),
        "resets": sum(f.resets for f in followers),
        "events_checked": checked,
        "lost": lost,
        "doubled": doubled,
        "rss_mib": {"first": rss[0][1] / 1024, "last": rss[-1][1] / 1024},
        "rss_growth_mib_per_hour": round(slope(warm) * 3600 / 1024, 2),
        "rss_samples": [(round(t), kib) for t, kib in rss],  # (seconds in, KiB)
        "windows": windows,
        "p99_drift_ms": {
            kind: round(windows[-1][kind]["p99_ms"] - windows[0][kind]["p99_ms"], 1)
            for kind in ("records", "chat", "rest")
        },
    }


def slope(points: list[tuple[float, int]]) -> float:
    """Least-squares slope of y over t (0 with fewer than two points)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (y - mean_y) for t, y in points) / spread if spread else 0.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--target", choices=("pg", "embedded"), default="pg")
    parser.add_argument("--window", type=float, default=5, help="minutes per latency window")
    parser.add_argument("--record-followers", type=int, default=20)
    parser.add_argument("--dashboard-followers", type=int, default=5)
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--patch-rate", type=float, default=5, help="record PATCHes a second")
    parser.add_argument("--chat-rate", type=float, default=5, help="chat messages a second")
    parser.add_argument("--reservation-rate", type=float, default=0.5, help="a second")
    parser.add_argument("--drop-every", type=float, default=60, help="mean seconds per socket")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    args.window = min(args.window, args.minutes)
    return args


def report(result: dict[str, Any]) -> str:
    lines = [
        headline(result["machine"]),
        f"Soak: {result['minutes']} min on {result['target']}; operations {result['operations']}",
        f"followers {result['followers']}, drops {result['drops']}, resets {result['resets']}, "
        f"socket errors {result['socket_errors']}",
        f"events checked {result['events_checked']}: lost {result['lost']}, "
        f"doubled {result['doubled']}",
        f"server RSS {result['rss_mib']['first']:.1f} → {result['rss_mib']['last']:.1f} MiB, "
        f"growth {result['rss_growth_mib_per_hour']} MiB/h (fit after the warm-up)",
        "window  records p50/p99 ms   chat p50/p99 ms   REST p50/p99 ms",
    ]
    for w in result["windows"]:
        cells = [f"{w[k]['p50_ms']:>7}/{w[k]['p99_ms']:<8}" for k in ("records", "chat", "rest")]
        lines.append(f"{w['from_minute']:>5}'  " + "  ".join(cells))
    lines.append(f"p99 drift, last window minus first (ms): {result['p99_drift_ms']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    raise_open_files_limit()
    prepared = soak_target(args)
    running = start(prepared)
    try:
        result = asyncio.run(soak(running, args))
    finally:
        running.stop()
    result.update(machine=describe(), target=f"{prepared.name} ({prepared.description})")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"soak-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2))
    print(report(result))
    print(f"written to {out}")
    return 0 if result["lost"] == 0 and result["doubled"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
