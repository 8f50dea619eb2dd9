"""One Redis connection pool per process and URL, shared by every cache instance.

Django makes a cache object per request context (caches are context-local under
ASGI), and each `RedisCache` builds its own connection pool: every request then
opens a new Redis connection and runs its handshake (HELLO, CLIENT SETINFO, for
which redis-py reads its own version from the installed metadata each time). A
profile of the benchmark's PATCHes showed that handshake in every request. Named
as the cache's `pool_class`, this pool is made once and reused.
"""

from __future__ import annotations

import threading
from typing import Any

import redis


class SharedConnectionPool(redis.ConnectionPool):
    """`ConnectionPool.from_url` that returns the process's pool for the same URL and options."""

    _pools: dict[tuple[str, str], redis.ConnectionPool] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **options: Any) -> redis.ConnectionPool:
        key = (url, repr(sorted(options.items())))
        with cls._lock:
            pool = cls._pools.get(key)
            if pool is None:
                pool = cls._pools[key] = redis.ConnectionPool.from_url(url, **options)
            return pool
