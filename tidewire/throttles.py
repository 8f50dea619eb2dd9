"""REST rate limits: per user and per client IP, counted in the shared cache.

DRF's `SimpleRateThrottle` keeps every request's time of the last period in one
cache entry, read and written whole on each request: at 1,200/min that is a list
of up to 1,200 floats pickled twice per request per limit (a third of a PATCH's
CPU in the benchmark's profile). These throttles keep one number per key instead,
the generic cell rate algorithm's "theoretical arrival time": `N/period` admits N
requests at once, then one every period/N, as a bucket that refills evenly. On
Redis one step is one atomic script (`_RedisStep`): one round trip, and two
processes counting the same key at once cannot both take the last place. On
another cache (the embedded default's local memory) it is a read and a write.

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

import redis
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
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


def count_use(key: str, now: float, *, count: int, period: float) -> tuple[bool, float]:
    """Count one use of `key` (`count` per `period`) in the default cache: (allowed, wait)."""
    [verdict] = count_uses([key], now, count=count, period=period)
    return verdict


def count_uses(
    keys: list[str], now: float, *, count: int, period: float
) -> list[tuple[bool, float]]:
    """`count_use` of each key in turn (a key may repeat); on Redis in one round trip."""
    store = caches[DEFAULT_CACHE_ALIAS]  # the cache itself (`cache` is a proxy to it)
    if isinstance(store, RedisCache):
        return _redis_step(store, keys, now, count=count, period=period)
    verdicts = []
    for key in keys:
        after, wait = next_arrival(store.get(key), now, count=count, period=period)
        if after is not None:
            store.set(key, after, math.ceil(after - now))
        verdicts.append((after is not None, wait))
    return verdicts


class _RedisStep:
    """`next_arrival` and the write as one Lua script: atomic, one round trip.

    The key holds the arrival time as a decimal number (what a script can read),
    not the cache's pickled float; only this module reads or writes these keys.
    """

    SCRIPT = """
    local stored = tonumber(redis.call('GET', KEYS[1]))
    local now, interval, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
    local arrival = now
    if stored and stored > now then arrival = stored end
    local after = arrival + interval
    if after - now > period then return {0, tostring(after - period - now)} end
    redis.call('SET', KEYS[1], tostring(after), 'EX', math.ceil(after - now))
    return {1, '0'}
    """

    def __init__(self) -> None:
        self._sha: str | None = None

    def __call__(
        self, store: RedisCache, keys: list[str], now: float, *, count: int, period: float
    ) -> list[tuple[bool, float]]:
        full_keys = [store.make_and_validate_key(key) for key in keys]
        client = store._cache.get_client(full_keys[0], write=True)
        args = [repr(now), repr(period / count), repr(period)]
        if self._sha is None:
            self._sha = client.script_load(self.SCRIPT)
        try:
            replies = self._run(client, full_keys, args)
        except redis.exceptions.NoScriptError:  # Redis restarted: its scripts are gone
            self._sha = client.script_load(self.SCRIPT)
            replies = self._run(client, full_keys, args)
        return [(bool(allowed), float(wait)) for allowed, wait in replies]

    def _run(self, client: redis.Redis, keys: list[str], args: list[str]) -> list:
        if len(keys) == 1:
            return [client.evalsha(self._sha, 1, keys[0], *args)]
        pipeline = client.pipeline(transaction=False)  # each in turn, one round trip
        for key in keys:
            pipeline.evalsha(self._sha, 1, key, *args)
        return pipeline.execute()


_redis_step = _RedisStep()


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
        allowed, wait = count_use(
            self.key, self.timer(), count=self.num_requests, period=self.duration
        )
        if not allowed:
            self._wait = wait
            metrics.count(metrics.RATE_LIMITED, scope=self.scope)
        return allowed

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
    [verdict] = users_rate_allow(scope, [user])
    return verdict


def users_rate_allow(scope: str, users: list) -> list[tuple[bool, float]]:
    """`user_rate_allows` for each use in turn (a user may repeat): one Redis round trip."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if rate is None:
        return [(True, 0.0)] * len(users)
    count, period = parse_rate(rate)
    keys = [ScopedThrottle.cache_format % {"scope": scope, "ident": f"user-{u.pk}"} for u in users]
    verdicts = count_uses(keys, time.time(), count=count, period=period)
    for allowed, _ in verdicts:
        if not allowed:
            metrics.count(metrics.RATE_LIMITED, scope=scope)
    return verdicts


def take(key: str, rate: str) -> tuple[bool, float]:
    """Count one use of `key` at `rate` ('30/min') in the shared cache: (allowed, wait).

    Sync (the cache's calls block): from a socket, run it on a sync thread.
    """
    count, period = parse_rate(rate)
    return count_use(key, time.time(), count=count, period=period)
