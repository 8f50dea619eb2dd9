"""REST rate limits: per user and per client IP, counted in the shared cache.

DRF's `SimpleRateThrottle` keeps every request's time of the last period in one
cache entry, read and written whole on each request: at 1,200/min that is a list
of up to 1,200 floats pickled twice per request per limit (a third of a PATCH's
CPU in the benchmark's profile). These throttles keep one number per key instead,
the generic cell rate algorithm's "theoretical arrival time": `N/period` admits N
requests at once, then one every period/N, as a bucket that refills evenly. Like
DRF's, the read and the write are two cache calls, not one atomic step.

The client address is REMOTE_ADDR (REST_FRAMEWORK["NUM_PROXIES"] = 0): never a
client's own X-Forwarded-For. Behind a proxy, uvicorn puts the forwarded address
there, and only for the proxies in TIDEWIRE_TRUSTED_PROXIES (tidewire/serve.py).

Views with a `throttle_scope` get that scope's limit too (`ScopedThrottle`, as
DRF's `ScopedRateThrottle`); `throttle_posts(scope)` gives it to Django views.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from . import metrics


def next_arrival(
    stored: object, now: float, *, count: int, period: float
) -> tuple[float | None, float]:
    """One step of the generic cell rate algorithm: `count` per `period`, one number per key.

    `stored` is the key's theoretical arrival time (anything else: a fresh key).
    Returns the new value to store and 0, or None and the seconds to wait.
    """
    arrival = max(stored, now) if isinstance(stored, float) else now
    after = arrival + period / count
    if after - now > period:
        return None, after - period - now
    return after, 0.0


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/min' -> (30, 60), as DRF reads its rates."""
    return SimpleRateThrottle.parse_rate(None, rate)


class SettingsRateThrottle(SimpleRateThrottle):
    """A rate limit read from the settings in force, kept as one number per key."""

    cache_format = "throttle_gcra_%(scope)s_%(ident)s"

    def get_rate(self) -> str | None:
        # DRF reads its rates once, at import; tests and deployments change settings.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        after, wait = next_arrival(
            self.cache.get(self.key), now, count=self.num_requests, period=self.duration
        )
        if after is None:
            self._wait = wait
            metrics.count(metrics.RATE_LIMITED, scope=self.scope)
            return False
        self.cache.set(self.key, after, math.ceil(after - now))
        return True

    def wait(self) -> float | None:
        """Seconds until the next request would be admitted (for Retry-After)."""
        return getattr(self, "_wait", None)


class UserThrottle(SettingsRateThrottle):
    """Requests per authenticated user (anonymous requests are left to IPThrottle)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class IPThrottle(SettingsRateThrottle):
    """Requests per client address, logged in or not."""

    scope = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ScopedThrottle(SettingsRateThrottle):
    """Requests to views with a `throttle_scope`: per user, or per client address if anonymous.

    The scope's rate is its entry in DEFAULT_THROTTLE_RATES; a scope without one
    is not limited.
    """

    scope: str | None = None

    def allow_request(self, request, view) -> bool:
        self.scope = getattr(view, "throttle_scope", None)
        if self.scope is None:
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttle_posts(scope: str) -> Callable[[Callable], Callable]:
    """Give a Django (not DRF) view's POSTs the `scope` limit: over it, 429 with Retry-After."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def throttled(request: HttpRequest, *args, **kwargs):
            if request.method == "POST":
                throttle = ScopedThrottle()
                if not throttle.allow_request(request, throttled):
                    return too_many_requests(throttle.wait() or 1)
            return view(request, *args, **kwargs)

        throttled.throttle_scope = scope
        return throttled

    return decorate


def too_many_requests(wait: float) -> HttpResponse:
    """429 saying, in its text and in Retry-After, how many seconds to wait."""
    seconds = math.ceil(wait)
    response = HttpResponse(
        f"Too many requests: retry in {seconds} seconds.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    return response


def user_rate_allows(scope: str, user) -> tuple[bool, float]:
    """One more use of a throttle scope by `user` from a socket: (allowed, seconds to wait).

    Counted under the same key as `ScopedThrottle` on REST views with that
    `throttle_scope`, so a user's REST and socket sends share one budget. Sync:
    call it on a sync thread, beside the write it guards (one hop for both).
    """
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if rate is None:
        return True, 0.0
    allowed, wait = take(
        ScopedThrottle.cache_format % {"scope": scope, "ident": f"user-{user.pk}"}, rate
    )
    if not allowed:
        metrics.count(metrics.RATE_LIMITED, scope=scope)
    return allowed, wait


def take(key: str, rate: str) -> tuple[bool, float]:
    """Count one use of `key` at `rate` ('30/min') in the shared cache: (allowed, wait).

    Sync (the cache's calls block): from a socket, run it on a sync thread.
    """
    count, period = parse_rate(rate)
    now = time.time()
    after, wait = next_arrival(cache.get(key), now, count=count, period=period)
    if after is None:
        return False, wait
    cache.set(key, after, math.ceil(after - now))
    return True, 0.0
