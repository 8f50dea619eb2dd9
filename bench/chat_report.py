"""The chat benchmark's figures: a summary per run, the rows of its table, warnings, verdict."""

from __future__ import annotations

from array import array
from collections import Counter
from typing import Any

from . import report

TARGET_P99_MS = 50.0  # the target, at 0 lost and 0 doubled


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
