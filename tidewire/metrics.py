"""Prometheus metrics (prometheus_client), served at `GET /metrics` (tidewire/metrics_view.py).

Counting stays off the per-socket path: deliveries are counted once per event and
process (`inc(n)`), latency observed once per event and process, so the fan-out
pays a few increments per event whatever the number of sockets. With several
worker processes, set PROMETHEUS_MULTIPROC_DIR (an empty directory per host,
cleared at start): prometheus_client then keeps each process's values in files
there and the view adds them up (docs/deployment.md#metrics).

`enabled` is False when TIDEWIRE_METRICS is off (the benchmark compares both).
"""

from __future__ import annotations

import re
import time

from prometheus_client import Counter, Gauge, Histogram

enabled = True

SOCKETS_OPEN = Gauge(
    "tidewire_sockets_open",
    "WebSockets open and authenticated now.",
    multiprocess_mode="livesum",
)
EVENTS_PUBLISHED = Counter(
    "tidewire_events_published",
    "Events stored and broadcast, by topic family.",
    ["family"],
)
DELIVERIES = Counter(
    "tidewire_deliveries",
    "Event frames handed to local sockets (one per socket that follows the topic).",
)
DELIVERY_LATENCY = Histogram(
    "tidewire_delivery_latency_seconds",
    "From the event's broadcast after commit to its hand-out to this process's sockets.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SUBSCRIPTIONS = Gauge(
    "tidewire_subscriptions",
    "Topic subscriptions of open sockets, by topic family.",
    ["family"],
    multiprocess_mode="livesum",
)
RESUMES = Counter(
    "tidewire_resumes", "Subscriptions that resumed from an offset (replaying what was missed)."
)
RESETS = Counter(
    "tidewire_resets",
    "Subscriptions told to reload (`reset`): the gap was too long or no longer stored.",
)
SOCKET_CLOSES = Counter(
    "tidewire_socket_closes",
    "Sockets the server closed, by close code (4008 too slow, 4401, 4403, 4429...).",
    ["code"],
)
RATE_LIMITED = Counter(
    "tidewire_rate_limited", "Requests and frames refused by a rate limit, by scope.", ["scope"]
)
HTTP_LATENCY = Histogram(
    "tidewire_http_request_duration_seconds",
    "REST and page requests, by route pattern, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

_ID_SEGMENT = re.compile(r"\.\d+(?=\.|$)")


def topic_family(topic: str) -> str:
    """A topic without its ids ("chat.conversation.7" -> "chat.conversation.<id>"): labels
    stay few whatever the number of topics."""
    return _ID_SEGMENT.sub(".<id>", topic)


def observe_delivery(published_at: float | None, sockets: int) -> None:
    """One event handed to `sockets` local sockets; its latency since broadcast."""
    if not enabled:
        return
    if sockets:
        DELIVERIES.inc(sockets)
    if published_at is not None:
        DELIVERY_LATENCY.observe(max(0.0, time.time() - published_at))


def count(metric: Counter | Gauge, amount: float = 1, **labels: str) -> None:
    """Add to a metric (a gauge may go down), unless metrics are off."""
    if not enabled:
        return
    target = metric.labels(**labels) if labels else metric
    target.inc(amount)
