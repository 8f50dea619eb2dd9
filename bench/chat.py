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
from array import array
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import uvloop

from . import profiler, report
from .chat_clients import ChatClientConfig, run_chat_clients
from .load import ClientProcess, LoadError, RssSampler, cpu_snapshot, cpu_spent, shares
from .machine import describe, load_average, raise_open_files_limit, wait_until_quiet
from .run import QUIET_BELOW_PCT, target_order
from .targets import (
    BASELINE,
    BIN_DIR,
    MIGRATE,
    PGDB,
    POSTGRES_SERVER,
    TIDEWIRE,
    RunningTarget,
    Target,
    TargetError,
    no_credentials,
    start,
)

CONNECT_BUDGET = 120.0  # seconds for every client process to open its sockets
WARM_UP_BUDGET = 60.0  # seconds for every conversation's warm-up message to reach both sides
START_DELAY = 0.2  # seconds between telling the clients the schedule and its first message
STALL = 3.0  # seconds without a new receipt, after the last send, that end the drain
TARGET_P99_MS = 50.0  # the target, at 0 lost and 0 doubled
# Tidewire's send limit (DRF scope `chat_send`), per user: a run above it measures refusals.
CHAT_SEND_PER_MINUTE = 60


@dataclass(frozen=True)
class ChatTarget:
    """A server and how it creates the run's conversations (`--conversations N` is added)."""

    target: Target
    seed: tuple[str, ...]
    wire: str  # the frames it speaks: "tidewire" or "seed"

    def prepared(self, conversations: int) -> Target:
        """The target with the conversations' setup as its last setup command."""
        command = (*self.seed, "--conversations", str(conversations))
        return replace(self.target, setup=(*self.target.setup, command))


_TIDEWIRE_SEED = (str(BIN_DIR / "python"), "-m", "bench.chat_setup")
_CHAT_TIDEWIRE = replace(TIDEWIRE, setup=(MIGRATE,), credentials=no_credentials)
_SEED_REDIS = replace(
    BASELINE,
    name="seed-redis",
    description="seed 003: ChatConsumer on Daphne, database_sync_to_async, RedisChannelLayer",
    setup=(MIGRATE,),
)

CHAT_TARGETS = {
    "tidewire": ChatTarget(_CHAT_TIDEWIRE, _TIDEWIRE_SEED, "tidewire"),
    "seed-memory": ChatTarget(
        replace(
            _SEED_REDIS,
            name="seed-memory",
            description="seed 003 as above on the in-memory channel layer (its diagram's)",
            environment=lambda ws: {
                **BASELINE.environment(ws),
                "BASELINE_CHANNEL_LAYER": "memory",
            },
            uses_redis=False,
        ),
        ("manage.py", "seed_chat"),
        "seed",
    ),
    "seed-redis": ChatTarget(_SEED_REDIS, ("manage.py", "seed_chat"), "seed"),
    "tidewire-embedded": ChatTarget(
        replace(
            _CHAT_TIDEWIRE,
            name="tidewire-embedded",
            description="Tidewire's chat as `make run` serves it: no Redis, in-process layer",
            uses_redis=False,  # REDIS_URL is then empty: the embedded default
        ),
        _TIDEWIRE_SEED,
        "tidewire",
    ),
    "tidewire-pg": ChatTarget(
        replace(
            _CHAT_TIDEWIRE,
            name="tidewire-pg",
            description="Tidewire's chat on PostgreSQL",
            environment=lambda ws: {
                **TIDEWIRE.environment(ws),
                "DATABASE_URL": f"{POSTGRES_SERVER}/tidewire_bench_{ws.port}",
            },
            setup=((*PGDB, "create"), MIGRATE),
            teardown=((*PGDB, "drop"),),
        ),
        _TIDEWIRE_SEED,
        "tidewire",
    ),
}
DEFAULT_TARGETS = "tidewire,seed-memory,seed-redis"
SEEDS = ("seed-memory", "seed-redis")


async def measure(
    running: RunningTarget, wire: str, args: argparse.Namespace, profile: Path | None
) -> dict[str, Any]:
    """Connect every conversation, warm up, send on schedule, drain; the raw figures."""
    conversations = json.loads((running.workspace.dir / "chat.json").read_text())
    conversations = conversations["conversations"]
    lifetime = CONNECT_BUDGET + WARM_UP_BUDGET + args.duration + args.drain + 180
    clients, begin = [], 0
    for index, share in enumerate(shares(len(conversations), args.processes)):
        config = ChatClientConfig(
            host="127.0.0.1",
            port=running.port,
            origin=running.origin,
            wire=wire,
            conversations=conversations[begin : begin + share],
            index=index,
            processes=args.processes,
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
    """Wait for the sending to end, then for every message to arrive, a stall, or `limit`.

    Returns when the last receipt was counted (perf_counter time, to 0.1 s).
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
        if done and received >= sent:
            break
        if done and now - last_change > STALL:
            break
        await asyncio.sleep(0.1)
    return last_change


def summarize(name: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The figures of one run on one target, for the table and the JSON file."""
    reports = raw.pop("reports")
    latencies, acks = array("q"), array("q")
    totals: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    ignored: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for r in reports:
        latencies.frombytes(r["latencies_us"])
        acks.frombytes(r["ack_latencies_us"])
        for key in ("sent", "not_sent", "received", "own_copies", "doubled", "acks", "unexpected"):
            totals[key] += r[key]
        errors.update(r["errors"])
        ignored.update(r["ignored"])
        closed.update(r["closed_by_server"])
    ordered, ack_ordered = sorted(latencies), sorted(acks)
    return {
        "scenario": "chat",
        "target": name,
        **raw,
        "sockets": 2 * raw["conversations"],
        **totals,
        "lost": totals["sent"] - totals["received"],
        "own_copies_missing": totals["sent"] - totals["own_copies"],
        "errors": sum(errors.values()),
        "error_frames": dict(errors),
        "ignored_frames": dict(ignored),
        "closed_by_server": dict(closed),
        "schedule_slip_max_ms": 1000 * max(r["schedule_slip_max_s"] for r in reports),
        "p50_ms": report.percentile(ordered, 0.50) / 1000,
        "p99_ms": report.percentile(ordered, 0.99) / 1000,
        "max_ms": ordered[-1] / 1000 if ordered else float("nan"),
        "ack_p99_ms": report.percentile(ack_ordered, 0.99) / 1000,
        # What a message costs the server, whether or not it kept up with the rate.
        "server_cpu_ms_per_message": (
            10 * raw["cpu_pct"].get("server", 0.0) * raw["window_s"] / totals["sent"]
            if totals["sent"]
            else float("nan")
        ),
    }


ROWS = (
    ("sockets open", "sockets", "{:.0f}", None),
    ("messages sent", "sent", "{:.0f}", None),
    ("received by the other side", "received", "{:.0f}", None),
    ("lost", "lost", "{:.0f}", None),
    ("doubled", "doubled", "{:.0f}", None),
    ("error frames", "errors", "{:.0f}", None),
    ("send to receive p50 (ms)", "p50_ms", "{:.1f}", "down"),
    ("send to receive p99 (ms)", "p99_ms", "{:.1f}", "down"),
    ("send to receive max (ms)", "max_ms", "{:.1f}", "down"),
    ("send to ack p99 (ms)", "ack_p99_ms", "{:.1f}", None),
    ("server CPU (% of a core)", "server_cpu_pct", "{:.0f}", None),
    ("server CPU per message (ms)", "server_cpu_ms_per_message", "{:.2f}", "down"),
    ("redis CPU (% of a core)", "redis_cpu_pct", "{:.0f}", None),
    ("load gen CPU (% of a core)", "loadgen_cpu_pct", "{:.0f}", None),
    ("other CPU on machine (%)", "other_cpu_pct", "{:.0f}", None),
    ("server RSS peak (MiB)", "rss_peak_mib", "{:.1f}", None),
)


def warnings(summaries: list[dict[str, Any]]) -> list[str]:
    """What makes a run's figures suspect, said plainly."""
    found = []
    for s in summaries:
        where = s["target"]
        checks = (
            (s["connect_failures"], f"conversations not opened: {s['connect_failures']}"),
            (not s["warm"], "warm-up did not reach every socket before the timed part"),
            (s["lost"], f"{s['lost']} messages lost"),
            (s["doubled"], f"{s['doubled']} messages doubled"),
            (s["errors"], f"error frames: {s['error_frames']}"),
            (s["not_sent"], f"{s['not_sent']} messages not sent: their socket had closed"),
            (s["own_copies_missing"], f"{s['own_copies_missing']} never echoed to the sender"),
            (s["closed_by_server"], f"the server closed sockets: {s['closed_by_server']}"),
            (s["unexpected"], f"{s['unexpected']} unexpected frames"),
            (s["schedule_slip_max_ms"] > 50, "the load generator fell behind its schedule"),
            (
                s["cpu_pct"].get("other", 0.0) > report.BUSY_MACHINE_PCT,
                "the machine was not quiet, figures are not comparable",
            ),
        )
        found += [f"{where}: {text}" for failed, text in checks if failed]
    return found


def verdict(summaries: list[dict[str, Any]]) -> str:
    """Tidewire against the issue's target, run by run."""
    runs = [s for s in summaries if s["target"] == "tidewire"]
    met = all(
        s["p99_ms"] <= TARGET_P99_MS and not s["lost"] and not s["doubled"] and s["sent"]
        for s in runs
    )
    figures = "; ".join(
        f"p99 {s['p99_ms']:.1f} ms, {s['lost']} lost, {s['doubled']} doubled" for s in runs
    )
    return (
        f"Target (p99 <= {TARGET_P99_MS:g} ms, 0 lost, 0 doubled): "
        f"{'met' if met else 'NOT met'} ({figures})"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    def positive(kind: type) -> Any:
        def parse(text: str) -> Any:
            value = kind(text)
            if value <= 0:
                raise argparse.ArgumentTypeError(f"{text} is not positive")
            return value

        return parse

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


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: servers, Redis and clients are stopped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    raise_open_files_limit()
    machine = describe()
    print(
        f"Machine: {machine['cpu_model']}, {machine['cores']} cores, "
        f"{machine['memory_mib']} MiB, Python {machine['python']}, {machine['redis']}\n"
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
        if args.quiet_wait > 0:
            busy = wait_until_quiet(busy_below=QUIET_BELOW_PCT, within=args.quiet_wait)
            if busy >= QUIET_BELOW_PCT:
                print(f"   the machine is still busy ({busy:.0f}% of a core); running anyway")
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
