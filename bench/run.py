"""Tidewire's benchmark against the seeds' plain Channels pattern, in one run.

    .venv/bin/python -m bench.run                      # every scenario, both targets
    .venv/bin/python -m bench.run --scenario latency --subscribers 200 --duration 5

Each scenario runs against each target in turn, with the same parameters, on a
freshly started server (fresh SQLite file, private redis-server, free port).
Figures are printed side by side and written to bench/results/<timestamp>.json.
See docs/benchmark.md.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

import uvloop

from . import profiler, report, scenarios
from .load import LoadError, Measurement, measure
from .machine import describe, headline, load_average, raise_open_files_limit, wait_until_quiet
from .targets import TARGETS, TargetError, start

DEFAULT_TARGETS = "baseline,tidewire"
# Subscriber processes: on two cores, two of them keep up with the fastest server
# measured (see the null target in docs/benchmark.md) and leave a core to the server.
DEFAULT_PROCESSES = 2
# Busy CPU (% of one core) under which the machine counts as quiet before a run.
QUIET_BELOW_PCT = 10.0


def _targets(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in TARGETS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown target(s) {unknown}; choose from {', '.join(TARGETS)}"
        )
    return names


def positive(kind: type) -> Any:
    """An argparse type: a number of `kind` above 0."""

    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} is not positive")
        return value

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Benchmark Tidewire against the seeds' Channels pattern.",
    )
    parser.add_argument("--scenario", choices=[*scenarios.SCENARIOS, "all"], default="all")
    parser.add_argument(
        "--targets",
        type=_targets,
        default=_targets(DEFAULT_TARGETS),
        help=f"comma-separated, run in this order (default {DEFAULT_TARGETS}; "
        "'null' is the load generator's ceiling)",
    )
    parser.add_argument("--subscribers", type=positive(int), help="sockets (default 1000)")
    parser.add_argument("--duration", type=positive(float), help="seconds of writes (10)")
    parser.add_argument(
        "--rate", type=positive(float), help="PATCH/s of the fixed-rate scenario (20)"
    )
    parser.add_argument(
        "--writers",
        type=positive(int),
        help="concurrent writers flat out; connections in the fixed-rate scenario (4)",
    )
    parser.add_argument(
        "--drain", type=positive(float), help="max seconds to wait for deliveries after (15)"
    )
    parser.add_argument(
        "--deflate",
        action="store_true",
        help="subscribers offer permessage-deflate as browsers do (servers that accept it "
        "compress every frame for every socket)",
    )
    parser.add_argument(
        "--processes",
        type=positive(int),
        default=DEFAULT_PROCESSES,
        help=f"subscriber processes (default {DEFAULT_PROCESSES})",
    )
    parser.add_argument(
        "--repeat",
        type=positive(int),
        default=1,
        help="run each scenario N times, alternating the target order; the table shows medians",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="before each run, wait up to this long for other jobs on the machine to "
        f"drop under {QUIET_BELOW_PCT:g}%% of a core (0: do not wait; default 120)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample each server with py-spy during the writes into DIR/<scenario>-<target>.txt "
        "(needs py-spy installed; profiled figures are not comparable)",
    )
    return parser.parse_args(argv)


def _say(text: str) -> None:
    print(text, flush=True)


def _run_one(
    target_name: str, scenario: scenarios.Scenario, processes: int, profile_dir: Path | None
) -> Measurement:
    running = start(TARGETS[target_name])
    profile = profile_dir / f"{scenario.name}-{target_name}.txt" if profile_dir else None
    try:
        _say(f"   {target_name} on port {running.port} (pid {running.pid})")
        measurement = uvloop.run(measure(running, scenario, processes, profile))
    except BaseException:
        _say(f"   server log tail:\n{running.log_tail()}")
        raise
    finally:
        log_tail = running.log_tail(40)
        running.stop()
    measurement.server_log = log_tail
    if profile is not None and profile.exists():
        _say(profiler.described(profile))
    return measurement


def target_order(targets: list[str], repeat: int) -> list[str]:
    """Targets for `repeat` rounds, every other round reversed so neither always goes first."""
    rounds = [targets if i % 2 == 0 else targets[::-1] for i in range(repeat)]
    return [name for names in rounds for name in names]


def settle(quiet_wait: float) -> None:
    """Wait up to `quiet_wait` seconds for other jobs on the machine to go quiet."""
    if quiet_wait > 0:
        busy = wait_until_quiet(busy_below=QUIET_BELOW_PCT, within=quiet_wait)
        if busy >= QUIET_BELOW_PCT:
            _say(f"   the machine is still busy ({busy:.0f}% of a core); running anyway")


def exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: servers, Redis and clients are stopped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    raise_open_files_limit()
    machine = describe()
    _say(headline(machine))
    chosen = scenarios.select(
        args.scenario,
        subscribers=args.subscribers,
        duration=args.duration,
        writers=args.writers,
        rate=args.rate,
        drain=args.drain,
        deflate=args.deflate,
    )
    _say(f"Load average before the run: {load_average():.2f} (a quiet machine is near 0)")
    summaries, failures = [], []
    for scenario in chosen:
        _say(
            f"\n-- {scenario.name}: {scenario.subscribers} sockets, {scenario.mode}, "
            f"{scenario.duration:g} s (+ up to {scenario.drain:g} s drain)"
        )
        for name in target_order(args.targets, args.repeat):
            settle(args.quiet_wait)
            try:
                measurement = _run_one(name, scenario, args.processes, args.profile)
            except (TargetError, LoadError) as error:
                _say(f"   {name} FAILED: {error}")
                failures.append({"scenario": scenario.name, "target": name, "error": str(error)})
                continue
            summary = report.summarize(measurement)
            summaries.append(summary)
            _say(
                f"   {name}: {summary['patches']} PATCHes, {summary['deliveries']} deliveries, "
                f"{summary['lost']} lost, p99 {summary['delivery_p99_ms']:.1f} ms"
                + (f", deflate on {summary['compressed_sockets']} sockets" if args.deflate else "")
            )
    _say(report.table(summaries))
    for warning in report.warnings(summaries):
        _say(f"warning: {warning}")
    options = {**vars(args), "failures": failures}
    path = report.write_json(machine, options, summaries)
    _say(f"\nFull results: {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
