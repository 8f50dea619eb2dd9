"""The chat benchmark: Tidewire's chat socket against seed 003's ChatConsumer, in one run.

    .venv/bin/python -m bench.chat                       # 500 conversations, 200 msg/s, 10 s
    .venv/bin/python -m bench.chat --conversations 20 --rate 20 --duration 5

Every conversation has both participants connected (two sockets on
/ws/chat/<id>/); messages go over the socket at a fixed rate spread over the
conversations, the participants taking turns. Measured per target: messages
sent, received by the other participant, lost, doubled, error frames,
send-to-receive p50/p99/max, and the server's CPU. Each target starts fresh
(targets.py) and creates its users and conversations before the server starts:
Tidewire with bench/chat_setup.py, the seeds with `manage.py seed_chat`.
Results go to bench/results/chat-<timestamp>.json; docs/benchmark.md#chat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import uvloop

from . import profiler, report
from .chat_clients import ChatClientConfig, run_chat_clients
from .chat_report import ROWS, summarize, verdict, warnings
from .chat_targets import CHAT_TARGETS, DEFAULT_TARGETS, SEEDS
from .load import ClientProcess, LoadError, RssSampler, cpu_snapshot, cpu_spent, shares
from .machine import describe, headline, load_average, raise_open_files_limit
from .run import exit_on_sigterm, positive, settle, target_order
from .targets import RunningTarget, TargetError, start

CONNECT_BUDGET = 120.0  # seconds for every client process to open its sockets
WARM_UP_BUDGET = 60.0  # seconds for every conversation's warm-up message to reach both sides
START_DELAY = 0.2  # seconds between telling the clients the schedule and its first message
STALL = 3.0  # seconds without a new receipt, after the last send, that end the drain
# Tidewire's send limit (DRF scope `chat_send`), per user: a run above it measures refusals.
CHAT_SEND_PER_MINUTE = 60


async def measure(
    running: RunningTarget, wire: str, args: argparse.Namespace, profile: Path | None
) -> dict[str, Any]:
    """Connect every conversation, warm up, send on schedule, drain; the raw figures."""
    conversations = json.loads((running.workspace.dir / "chat.json").read_text())
    conversations = conversations["conversations"]
    lifetime = CONNECT_BUDGET + WARM_UP_BUDGET + args.duration + args.drain + 180
    clients, begin = [], 0
    parts = shares(len(conversations), args.processes)  # fewer than asked if few conversations
    for index, share in enumerate(parts):
        config = ChatClientConfig(
            host="127.0.0.1",
            port=running.port,
            origin=running.origin,
            wire=wire,
            conversations=conversations[begin : begin + share],
            index=index,
            processes=len(parts),
            rate=args.rate,
            lifetime=lifetime,
        )
        clients.append(ClientProcess(config, entry=run_chat_clients))
        begin += share
    try:
        return await _measure(running, clients, args, profile)
    finally:
        for client in clients:
            client.end()


async def _measure(
    running: RunningTarget,
    clients: list[ClientProcess],
    args: argparse.Namespace,
    profile: Path | None,
) -> dict[str, Any]:
    opened, failures, retries = 0, Counter(), 0
    for client in clients:
        _, pairs, failed, retried = await client.reply(CONNECT_BUDGET)
        opened += pairs
        failures.update(failed)
        retries += retried
    if not opened:
        raise LoadError(f"no conversation opened on {running.target.name}: {dict(failures)}")
    warm = await _warm_up(clients)
    sampler = RssSampler(running.pid)
    sampler.start()
    cpu_start = cpu_snapshot(running)
    began = time.perf_counter()
    t0_ns = time.time_ns() + int(START_DELAY * 1e9)
    for client in clients:
        await client.ask("send", t0_ns, args.duration)
    profiler_run = profiler.Profile(running.pid, profile, args.duration) if profile else None
    last_progress = await _drain(clients, args.duration + START_DELAY, args.drain)
    reports = [await client.ask("stop") for client in clients]
    if profiler_run is not None:
        profiler_run.wait()
    cpu = cpu_spent(
        cpu_start, cpu_snapshot(running), clients=sum(r["cpu_seconds"] for r in reports)
    )
    window = last_progress - began
    return {
        "conversations": opened,
        "connect_failures": dict(failures),
        "connect_retries": retries,
        "warm": warm,
        "reports": reports,
        "window_s": window,
        "drain_s": time.perf_counter() - began - args.duration,
        "cpu_pct": {kind: 100 * seconds / window for kind, seconds in cpu.items()},
        "rss_peak_mib": await sampler.stop() / 1024,
    }


async def _warm_up(clients: list[ClientProcess]) -> bool:
    """Until every conversation's warm-up message reached both sides: every socket is live."""
    deadline = time.perf_counter() + WARM_UP_BUDGET
    while time.perf_counter() < deadline:
        answers = [await client.ask("warm") for client in clients]
        if all(warm >= open_ for warm, open_ in answers):
            return True
        await asyncio.sleep(0.5)
    return False


async def _drain(clients: list[ClientProcess], sending: float, limit: float) -> float:
    """Wait for the sending to end, then for every copy to arrive, a stall, or `limit`.

    Every message is owed two copies: the other participant's and the sender's
    own (the seed's can come well after the other's). Returns when the last
    copy was counted (perf_counter time, to 0.1 s).
    """
    await asyncio.sleep(sending)
    deadline = time.perf_counter() + limit
    last_count, last_change = -1, time.perf_counter()
    while time.perf_counter() < deadline:
        answers = [await client.ask("count") for client in clients]
        received, sent = sum(a[0] for a in answers), sum(a[1] for a in answers)
        done = all(a[2] for a in answers)
        now = time.perf_counter()
        if received != last_count:
            last_count, last_change = received, now
        if done and received >= 2 * sent:
            break
        if done and now - last_change > STALL:
            break
        await asyncio.sleep(0.1)
    return last_change


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    def targets(text: str) -> list[str]:
        names = [n.strip() for n in text.split(",") if n.strip()]
        if not names or any(n not in CHAT_TARGETS for n in names):
            raise argparse.ArgumentTypeError(f"choose from {', '.join(CHAT_TARGETS)}")
        return names

    parser = argparse.ArgumentParser(
        prog="python -m bench.chat",
        description="Tidewire's chat socket against seed 003's ChatConsumer, in one run.",
    )
    parser.add_argument("--conversations", type=positive(int), default=500)
    parser.add_argument("--rate", type=positive(float), default=200.0, help="messages/s (200)")
    parser.add_argument("--duration", type=positive(float), default=10.0, help="seconds (10)")
    parser.add_argument("--drain", type=positive(float), default=15.0, help="max seconds (15)")
    parser.add_argument(
        "--targets", type=targets, default=targets(DEFAULT_TARGETS), help=DEFAULT_TARGETS
    )
    parser.add_argument("--processes", type=positive(int), default=2, help="client processes")
    parser.add_argument("--repeat", type=positive(int), default=1, help="runs per target")
    parser.add_argument("--quiet-wait", type=float, default=120.0, metavar="SECONDS")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="py-spy each server")
    return parser.parse_args(argv)


def _run_one(name: str, args: argparse.Namespace) -> dict[str, Any]:
    chat_target = CHAT_TARGETS[name]
    running = start(chat_target.prepared(args.conversations))
    profile = args.profile / f"chat-{name}.txt" if args.profile else None
    try:
        print(f"   {name} on port {running.port} (pid {running.pid})", flush=True)
        raw = uvloop.run(measure(running, chat_target.wire, args, profile))
    except BaseException:
        print(f"   server log tail:\n{running.log_tail()}", flush=True)
        raise
    finally:
        log_tail = running.log_tail(40)
        running.stop()
    if profile is not None and profile.exists():
        print(profiler.described(profile), flush=True)
    return {**summarize(name, raw), "server_log_tail": log_tail.splitlines()}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    raise_open_files_limit()
    machine = describe()
    print(
        f"{headline(machine)}\n"
        f"Load average before the run: {load_average():.2f} (a quiet machine is near 0)\n"
        f"-- chat: {args.conversations} conversations ({2 * args.conversations} sockets), "
        f"{args.rate:g} messages/s, {args.duration:g} s (+ up to {args.drain:g} s drain)",
        flush=True,
    )
    per_user = 60 * args.rate / (2 * args.conversations)
    if per_user > CHAT_SEND_PER_MINUTE:
        print(f"warning: {per_user:.0f} messages/min per user, above Tidewire's send limit")
    summaries, failures = [], []
    for name in target_order(args.targets, args.repeat):
        settle(args.quiet_wait)
        try:
            summary = _run_one(name, args)
        except (TargetError, LoadError) as error:
            print(f"   {name} FAILED: {error}", flush=True)
            failures.append({"target": name, "error": str(error)})
            continue
        summaries.append(summary)
        print(
            f"   {name}: {summary['sent']} sent, {summary['received']} received, "
            f"{summary['lost']} lost, {summary['doubled']} doubled, "
            f"p99 {summary['p99_ms']:.1f} ms",
            flush=True,
        )
    print(report.side_by_side(summaries, ROWS, baselines=SEEDS))
    if any(s["target"] == "tidewire" for s in summaries):
        print(verdict(summaries))
    for warning in warnings(summaries):
        print(f"warning: {warning}")
    path = report.write_json(machine, {**vars(args), "failures": failures}, summaries, "chat-")
    print(f"\nFull results: {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
