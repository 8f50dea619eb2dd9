"""The landing page and the health endpoints."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


@login_not_required
def landing(request: HttpRequest) -> HttpResponse:
    """Links to every part of Tidewire."""
    return render(request, "home/landing.html")


@login_not_required
def health_live(request: HttpRequest) -> JsonResponse:
    """The process answers: a supervisor restarts it when this fails."""
    return JsonResponse({"status": "ok"})


@login_not_required
def health_ready(request: HttpRequest) -> JsonResponse:
    """The database and the channel layer answer: a load balancer sends traffic only then."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        layer = get_channel_layer()
        async_to_sync(layer.group_send)("tw.health", {"type": "health.check"})
        checks["channel_layer"] = "ok"
    except Exception as error:
        checks["channel_layer"] = f"error: {error.__class__.__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
