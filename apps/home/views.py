"""The landing page and the health endpoints."""

import asyncio

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


@login_not_required
def landing(request: HttpRequest) -> HttpResponse:
    """Links to every part of Tidewire."""
    return render(request, "home/landing.html")


# Each check gets this long before the process is reported unready.
HEALTH_CHECK_TIMEOUT = 2.0  # seconds: well under a load balancer's usual 5 s probe timeout


# The health views are async so they run on the event loop, not behind the
# requests that hold the sync threads (tidewire/sync_threads.py).


@login_not_required
async def health_live(request: HttpRequest) -> JsonResponse:
    """The process answers: a supervisor restarts it when this fails."""
    return JsonResponse({"status": "ok"})


def _database_answers() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # a thread of its own: give back what it opened


async def _check(checks: dict[str, str], name: str, start) -> None:
    """Run one check (`start()` returns its awaitable) with a time limit; record the outcome."""
    try:
        await asyncio.wait_for(start(), HEALTH_CHECK_TIMEOUT)
        checks[name] = "ok"
    except TimeoutError:
        checks[name] = f"error: no answer within {HEALTH_CHECK_TIMEOUT:g} s"
    except Exception as error:
        checks[name] = f"error: {error.__class__.__name__}"


@login_not_required
async def health_ready(request: HttpRequest) -> JsonResponse:
    """The database and the channel layer answer: a load balancer sends traffic only then."""
    checks: dict[str, str] = {}
    # Not on a pooled sync thread: the check must not wait behind slow requests.
    await _check(checks, "database", sync_to_async(_database_answers, thread_sensitive=False))
    await _check(
        checks,
        "channel_layer",
        lambda: get_channel_layer().group_send("tw.health", {"type": "health.check"}),
    )
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
