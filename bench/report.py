"""Turning measurements into figures: a summary per run, a side-by-side table, a JSON file."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .load import Measurement

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# CPU (% of one core) used by processes outside the benchmark above which a run is
# flagged: kernel threads and idle daemons stay well under it on a quiet machine.
BUSY_MACHINE_PCT = 15.0


def percentile(ordered: Sequence[int], fraction: float) -> float:
    """Nearest-rank percentile of an ascending sequence; NaN when it is empty."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return float(ordered[rank - 1])


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else math.nan


def summarize(m: Measurement) -> dict[str, Any]:
    """The figures of one scenario on one target, ready for the table and the JSON file."""
    patch_latencies = sorted(m.patches.latencies_us)
    delivery_latencies = sorted(m.latencies_us)
    expected = m.patches.ok * m.subscribers
    losses = _losses(m)
    # Throughput counts from the first PATCH to the last delivery: what the fan-out sustained.
    delivery_span = (m.last_delivery_ns - m.patches.started_ns) / 1e9 if m.delivered else 0.0
    window = m.window_seconds
    return {
        "scenario": m.scenario.name,
        "target": m.target,
        "definition": asdict(m.scenario),
        "subscribers": m.subscribers,
        "compressed_sockets": m.compressed,
        "connect_failures": m.connect_failures,
        "connect_retries": m.connect_retries,
        "warm": m.warm,
        "patches": m.patches.ok,
        "patches_failed": m.patches.failed,
        "patch_statuses": {str(k): v for k, v in m.patches.statuses.items()},
        "patch_errors": dict(m.patches.errors),
        "patches_per_s": _rate(m.patches.ok, m.patches.elapsed),
        "patch_p50_ms": percentile(patch_latencies, 0.50) / 1000,
        "patch_p99_ms": percentile(patch_latencies, 0.99) / 1000,
        "schedule_slip_max_ms": m.patches.schedule_slip_max * 1000,
        "deliveries": m.delivered,
        "deliveries_expected": expected,
        **losses,
        "lost_pct": 100 * losses["lost"] / expected if expected else 0.0,
        "deliveries_per_s": _rate(m.delivered, delivery_span),
        "delivery_p50_ms": percentile(delivery_latencies, 0.50) / 1000,
        "delivery_p99_ms": percentile(delivery_latencies, 0.99) / 1000,
        "delivery_max_ms": (delivery_latencies[-1] / 1000) if delivery_latencies else math.nan,
        "per_socket_min": min(m.per_socket, default=0),
        "per_socket_max": max(m.per_socket, default=0),
        "closed_by_server": m.closed_by_server,
        "unexpected_messages": m.unexpected,
        "drain_s": m.drain_seconds,
        "window_s": window,
        "cpu_pct": {kind: 100 * s / window for kind, s in m.cpu_seconds.items()} if window else {},
        "rss_connected_mib": m.rss_connected_kib / 1024,
        "rss_peak_mib": m.rss_peak_kib / 1024,
        "rss_high_water_mib": m.rss_high_water_kib / 1024,
        "server_log_tail": m.server_log.splitlines(),
    }


def _losses(m: Measurement) -> dict[str, int]:
    """Deliveries missing, event by event: each successful PATCH is owed one per socket."""
    subscribers = m.subscribers
    owed = set(m.patches.sent_ns)
    counts = [m.per_event.get(event, 0) for event in owed]
    return {
        "lost": sum(max(0, subscribers - c) for c in counts),
        "events_reaching_no_socket": sum(1 for c in counts if c == 0),
        "events_reaching_some_sockets": sum(1 for c in counts if 0 < c < subscribers),
        "deliveries_beyond_one_per_socket": sum(max(0, c - subscribers) for c in counts),
        # PATCHes whose reply never came (timeout) but which the server applied and sent
        "deliveries_of_unconfirmed_patches": sum(
            c for event, c in m.per_event.items() if event not in owed
        ),
    }


# (label, summary key, format, which way is better: "up", "down" or None for no ratio)
ROWS: tuple[tuple[str, str, str, str | None], ...] = (
    ("sockets open", "subscribers", "{:.0f}", None),
    ("PATCHes", "patches", "{:.0f}", None),
    ("PATCH/s", "patches_per_s", "{:.1f}", "up"),
    ("PATCH p50 (ms)", "patch_p50_ms", "{:.1f}", "down"),
    ("PATCH p99 (ms)", "patch_p99_ms", "{:.1f}", "down"),
    ("deliveries", "deliveries", "{:.0f}", None),
    ("deliveries/s", "deliveries_per_s", "{:.0f}", "up"),
    ("delivery p50 (ms)", "delivery_p50_ms", "{:.1f}", "down"),
    ("delivery p99 (ms)", "delivery_p99_ms", "{:.1f}", "down"),
    ("lost deliveries", "lost", "{:.0f}", None),
    ("events that reached no socket", "events_reaching_no_socket", "{:.0f}", None),
    ("server CPU (% of a core)", "server_cpu_pct", "{:.0f}", None),
    ("redis CPU (% of a core)", "redis_cpu_pct", "{:.0f}", None),
    ("load gen CPU (% of a core)", "loadgen_cpu_pct", "{:.0f}", None),
    ("other CPU on machine (%)", "other_cpu_pct", "{:.0f}", None),
    ("server RSS peak (MiB)", "rss_peak_mib", "{:.1f}", "down"),
)


def _value(summary: dict[str, Any], key: str) -> float:
    cpu = summary.get("cpu_pct", {})
    if key == "server_cpu_pct":
        return cpu.get("server", math.nan)
    if key == "redis_cpu_pct":
        return cpu.get("redis", math.nan)
    if key == "other_cpu_pct":
        return cpu.get("other", math.nan)
    if key == "loadgen_cpu_pct":
        return sum(cpu.get(kind, 0.0) for kind in ("subscribers", "writers", "clients"))
    return float(summary[key])


def _ratio(baseline: float, tidewire: float, better: str) -> str:
    """How many times better Tidewire is (above 1: Tidewire wins)."""
    numerator, denominator = (tidewire, baseline) if better == "up" else (baseline, tidewire)
    if not denominator or math.isnan(numerator) or math.isnan(denominator):
        return "-"
    return f"{numerator / denominator:.2f}x"


def _median(summaries: list[dict[str, Any]], key: str) -> float:
    values = [v for v in (_value(s, key) for s in summaries) if not math.isnan(v)]
    return statistics.median(values) if values else math.nan


def table(summaries: list[dict[str, Any]]) -> str:
    """A side-by-side table per scenario, with Tidewire-vs-baseline ratios."""
    return side_by_side(summaries, ROWS)


def side_by_side(
    summaries: list[dict[str, Any]],
    rows: Sequence[tuple[str, str, str, str | None]],
    *,
    baselines: Sequence[str] = ("baseline",),
    reference: str = "tidewire",
) -> str:
    """A table per scenario: a column per target, a ratio column per baseline present.

    With repeated runs, each cell is the median of that figure over the runs.
    """
    lines = []
    for scenario in dict.fromkeys(s["scenario"] for s in summaries):
        runs: dict[str, list[dict[str, Any]]] = {}
        for s in summaries:
            if s["scenario"] == scenario:
                runs.setdefault(s["target"], []).append(s)
        names = list(runs)
        compared = [b for b in baselines if b in runs] if reference in runs else []
        ratio_labels = ["ratio"] if len(compared) == 1 else [f"vs {b}" for b in compared]
        header = ["", *names, *ratio_labels]
        table_rows = [header]
        for label, key, fmt, better in rows:
            values = {name: _median(runs[name], key) for name in names}
            row = [label, *("-" if math.isnan(v) else fmt.format(v) for v in values.values())]
            for baseline in compared:
                ratio = _ratio(values[baseline], values[reference], better) if better else ""
                row.append(ratio)
            table_rows.append(row)
        widths = [max(len(row[i]) for row in table_rows) for i in range(len(header))]
        repeats = max(len(r) for r in runs.values())
        lines.append(
            f"\n== {scenario} ==" + (f" (median of {repeats} runs)" if repeats > 1 else "")
        )
        for row in table_rows:
            cells = [row[0].ljust(widths[0])] + [
                c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
            ]
            lines.append("  ".join(cells))
    lines.append(
        "\nratio > 1 means Tidewire is better: Tidewire/baseline for rates, "
        "baseline/Tidewire for latencies and memory."
    )
    return "\n".join(lines)


def warnings(summaries: list[dict[str, Any]]) -> list[str]:
    """Things that make a run's figures suspect, said plainly."""
    found = []
    for s in summaries:
        where = f"{s['scenario']}/{s['target']}"
        if s["connect_failures"]:
            found.append(f"{where}: sockets failed to open: {s['connect_failures']}")
        if s["connect_retries"]:
            found.append(f"{where}: {s['connect_retries']} socket opens were retried")
        if not s["warm"]:
            found.append(f"{where}: warm-up did not reach every socket before the timed part")
        if s["patches_failed"]:
            found.append(
                f"{where}: {s['patches_failed']} PATCHes failed "
                f"(statuses {s['patch_statuses']}, errors {s['patch_errors']})"
            )
        if s["lost"]:
            found.append(
                f"{where}: {s['lost']} deliveries lost: {s['events_reaching_no_socket']} events "
                f"reached no socket, {s['events_reaching_some_sockets']} reached only some"
            )
        if s["deliveries_beyond_one_per_socket"]:
            found.append(f"{where}: {s['deliveries_beyond_one_per_socket']} extra deliveries")
        if s["closed_by_server"]:
            found.append(f"{where}: the server closed sockets: {s['closed_by_server']}")
        other = s["cpu_pct"].get("other", 0.0)
        if other > BUSY_MACHINE_PCT:
            found.append(
                f"{where}: other processes used {other:.0f}% of a core during the run: "
                "the machine was not quiet, figures are not comparable"
            )
        if s["unexpected_messages"]:
            found.append(f"{where}: {s['unexpected_messages']} unexpected messages")
    return found


def _plain(value: Any) -> Any:
    """JSON has no NaN: missing figures become null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def write_json(
    machine: dict[str, Any],
    options: dict[str, Any],
    summaries: list[dict[str, Any]],
    prefix: str = "",
) -> Path:
    """Write everything to bench/results/<prefix><timestamp>.json; returns the path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{prefix}{stamp}.json"
    document = {"created": stamp, "machine": machine, "options": options, "runs": summaries}
    path.write_text(json.dumps(_plain(document), indent=2, default=str) + "\n")
    return path
