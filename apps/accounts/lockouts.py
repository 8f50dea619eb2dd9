"""Login lockouts (django-axes): the address counted, when a lock ends, its answer, its log.

django-axes counts failed logins per username and per client address
(`AXES_LOCKOUT_PARAMETERS`, config/settings/base.py) and refuses a locked-out
login before any password is hashed. This module gives it Tidewire's answers:
429 with `Retry-After` and a page saying when to try again (the token endpoint
answers JSON instead, apps/accounts/api.py), and a log record per lockout.
"""

from __future__ import annotations

import logging
import math

from axes.helpers import (
    get_client_parameters,
    get_client_user_agent,
    get_client_username,
    get_cool_off,
    get_failure_limit,
)
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str | None:
    """The address failures are counted against: REMOTE_ADDR, never X-Forwarded-For.

    A client writes its own X-Forwarded-For, so trusting it would give every
    guess a fresh address. Behind a proxy, uvicorn sets REMOTE_ADDR from the
    proxy's header, and only for TIDEWIRE_TRUSTED_PROXIES (tidewire/serve.py).
    """
    return request.META.get("REMOTE_ADDR")


def seconds_until_unlocked(request: HttpRequest, credentials: dict | None) -> int:
    """Seconds until the failures that lock this login out (by username or address) age out.

    axes counts, per lockout parameter, the failures of the attempts whose last
    failure is within the cool-off; an attempt (one username, address and
    browser) drops out whole when its last failure gets older. The lock therefore
    lifts when the newest attempts no longer add up to the limit.
    """
    cool_off = get_cool_off(request)
    limit = get_failure_limit(request, credentials)
    now = timezone.now()
    unlocked_at = now
    parameters = get_client_parameters(
        get_client_username(request, credentials),
        client_address(request),
        get_client_user_agent(request),
        request,
        credentials,
    )
    for filters in parameters:
        attempts = (
            AccessAttempt.objects.filter(**filters, attempt_time__gte=now - cool_off)
            .order_by("-attempt_time")
            .values_list("attempt_time", "failures_since_start")
        )
        failures = 0
        for attempt_time, count in attempts:
            failures += count
            if failures >= limit:
                unlocked_at = max(unlocked_at, attempt_time + cool_off)
                break
    return max(1, math.ceil((unlocked_at - now).total_seconds()))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page a locked-out login form gets (AXES_LOCKOUT_CALLABLE): 429 and when to retry."""
    seconds = seconds_until_unlocked(request, credentials)
    response = render(
        request,
        "accounts/locked_out.html",
        {
            "seconds": seconds,
            "minutes": math.ceil(seconds / 60),
            "failure_limit": get_failure_limit(request, credentials),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


@receiver(user_locked_out)
def log_lockout(sender, request: HttpRequest, username: str | None, ip_address: str, **kwargs):
    """Log a lockout as it starts (WARNING) and each login it refuses afterwards (INFO).

    axes sends the signal in both cases; only when the lock starts has it just
    counted the failures (`axes_failures_since_start`).
    """
    failures = getattr(request, "axes_failures_since_start", None)
    path = request.META.get("PATH_INFO", "")
    fields = {"login_username": username, "client_address": ip_address, "path": path}
    if failures is None:
        logger.info(
            "login refused, locked out: username=%r address=%s path=%s",
            username,
            ip_address,
            path,
            extra=fields,
        )
        return
    seconds = int(get_cool_off(request).total_seconds())
    logger.warning(
        "login locked out after %d failures: username=%r address=%s path=%s for %d s",
        failures,
        username,
        ip_address,
        path,
        seconds,
        extra={**fields, "failures": failures, "locked_seconds": seconds},
    )
