"""`GET /metrics` for Prometheus, who may read it, and the REST latency middleware."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from . import metrics
from .around_request import AroundRequest
from .conf import tidewire_setting
from .jobs import job_runner
from .redis_pools import SharedConnectionPool

CELERY_QUEUE = "celery"  # Celery's default queue: a Redis list of waiting tasks
REDIS_TIMEOUT = 1.0  # seconds: a scrape must not hang on a sick Redis


class CeleryQueueCollector:
    """Tasks waiting in Celery's queue, read from Redis at each scrape (none without Celery)."""

    def collect(self):
        if not settings.REDIS_URL or job_runner() != "celery":
            return
        import redis

        pool = SharedConnectionPool.from_url(settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT)
        try:
            length = redis.Redis(connection_pool=pool).llen(CELERY_QUEUE)
        except redis.RedisError:
            return  # the scrape still answers; /health/ready names Redis
        yield GaugeMetricFamily(
            "tidewire_celery_queue_length", "Jobs' tasks waiting for a Celery worker.", length
        )


# Read from Redis at each scrape, not counted by a process: never summed across processes.
_SCRAPE_TIME = CollectorRegistry()
_SCRAPE_TIME.register(CeleryQueueCollector())


def _registry() -> CollectorRegistry:
    """This process's metrics, or with PROMETHEUS_MULTIPROC_DIR every process's, summed."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def metrics_allowed(request: HttpRequest) -> bool:
    """Development and tests: anyone. Production: the bearer token, or an allowed network."""
    if tidewire_setting("METRICS_PUBLIC") == "yes":
        return True
    token = tidewire_setting("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        client in ipaddress.ip_network(network, strict=False)
        for network in tidewire_setting("METRICS_ALLOW")
    )


@login_not_required
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            "Metrics need a bearer token or an allowed network.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    text = generate_latest(_registry()) + generate_latest(_SCRAPE_TIME)
    return HttpResponse(text, content_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware(AroundRequest):
    """Times each request by its route pattern (`/api/users/<id:record_id>/`), never its path:
    a label per URL would grow without end."""

    def before(self, request: HttpRequest) -> float:
        return time.perf_counter()

    def after(self, request: HttpRequest, response: HttpResponse, started: float) -> None:
        if not metrics.enabled:
            return
        match = request.resolver_match
        route = f"/{match.route}" if match is not None else "unmatched"
        metrics.HTTP_LATENCY.labels(
            route=route, method=request.method, status=f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
