"""Django's HTTP handler on a few long-lived threads instead of a new thread per request.

Django's `ASGIHandler` runs each request's synchronous code (middleware, views,
the ORM) in a thread made for that request. Every request then opens a database
connection and closes it at the end: on SQLite that is a file open, some thirty
SQL functions registered and, when the connection was the last one, a WAL
checkpoint with an fsync inside a PATCH (128 ms seen in a profile of the latency
benchmark). Here each request runs on one of `TIDEWIRE["SYNC_THREADS"]` threads
that live as long as the process, so their connections do too (SQLite:
CONN_MAX_AGE=None; PostgreSQL lends connections from its psycopg pool).
One request's sync steps stay on one thread, as Django requires; requests are
spread over the threads by how many each is serving.

Sync views get a middleware chain built in sync mode, so a request crosses to
its thread once. In async mode Django runs each async-capable `MiddlewareMixin`
hook through its own `sync_to_async` (and WhiteNoise, sync only, back through
`async_to_sync`): some twenty thread hand-offs per request.

Async views (the health checks) take Django's own async path instead and never
wait for a pooled thread: a slow request holding the threads must not make the
process look dead to its supervisor.

Sockets' synchronous work (a chat message's service call, a join rule's query)
runs on the same threads through `on_sync_thread`: otherwise it queues on
asgiref's one shared thread, behind every other socket's, one statement at a
time (a chat at 200 messages a second saturated it, docs/benchmark.md).

Views that hash a password (login, sign-up, password change), marked with
`on_login_threads`, run on a pool of their own, `TIDEWIRE["LOGIN_THREADS"]`
threads: one hash takes a few hundred milliseconds of CPU by design, and a
flood of wrong passwords queued on the main threads held up every other request
(a plain GET went from 26 ms to 2 s with one thread and eight such clients).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asgiref.sync import ThreadSensitiveContext, iscoroutinefunction, sync_to_async
from channels.db import database_sync_to_async
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.urls import Resolver404, ResolverMatch, get_resolver

from .conf import tidewire_setting
from .paths import path_below

T = TypeVar("T")

# The attribute `on_login_threads` sets on a view, read from the resolved view.
LOGIN_THREADS_MARK = "tidewire_login_threads"


def on_login_threads(view: Callable) -> Callable:
    """Mark a sync view that hashes passwords to run on the login threads.

    Returns a wrapper (a bound method such as the admin site's `login` takes no
    attribute), keeping the view's own attributes (`csrf_exempt`, `cls`, ...).
    """
    if iscoroutinefunction(view):
        raise TypeError(f"{view!r} is async: it runs on the event loop, not on sync threads")

    @functools.wraps(view)
    def login_view(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    setattr(login_view, LOGIN_THREADS_MARK, True)
    return login_view


class SyncThreads:
    """A fixed set of one-thread executors, each lent to the requests it serves.

    Lent and given back on the event loop's thread only, so no lock is needed.
    """

    def __init__(self, count: int, *, name: str = "tidewire-sync") -> None:
        if count < 1:
            raise ValueError(f"SYNC_THREADS must be at least 1, not {count}")
        self._executors = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-{index}")
            for index in range(count)
        ]
        self._serving = [0] * count

    def lend(self) -> int:
        """The executor serving the fewest requests; it now counts one more."""
        index = min(range(len(self._serving)), key=self._serving.__getitem__)
        self._serving[index] += 1
        return index

    def give_back(self, index: int) -> None:
        self._serving[index] -= 1

    def executor(self, index: int) -> ThreadPoolExecutor:
        return self._executors[index]

    def __len__(self) -> int:
        return len(self._executors)


_shared: SyncThreads | None = None


def shared_sync_threads() -> SyncThreads:
    """The process's sync threads (`SYNC_THREADS`), shared by HTTP requests and sockets."""
    global _shared
    if _shared is None:
        _shared = SyncThreads(tidewire_setting("SYNC_THREADS"))
    return _shared


async def on_sync_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run sync code (the ORM, the cache) from a socket on one of the process's sync threads.

    As `database_sync_to_async` (stale connections closed around the call), but
    on the least busy of the threads HTTP requests use, whose connections last,
    instead of asgiref's single shared thread.
    """
    threads = shared_sync_threads()
    index = threads.lend()
    try:
        async with ThreadSensitiveContext(executor=threads.executor(index)):
            return await database_sync_to_async(func)(*args, **kwargs)
    finally:
        threads.give_back(index)


def close_sync_thread_connections() -> None:
    """Close the database connections the shared threads hold (tests, before the drop)."""
    from django.db import connections

    if _shared is not None:
        for index in range(len(_shared._executors)):
            _shared.executor(index).submit(connections.close_all).result(timeout=10)


class PooledASGIHandler(ASGIHandler):
    """Django's ASGI handler, running each request's sync code on a long-lived thread."""

    def __init__(self) -> None:
        BaseHandler.__init__(self)  # not ASGIHandler's: it builds the chain in async mode
        self.load_middleware(is_async=False)
        self.threads = shared_sync_threads()
        login_threads = tidewire_setting("LOGIN_THREADS")
        if login_threads < 0:
            raise ValueError(
                f"LOGIN_THREADS must be 0 (share the sync threads) or more, not {login_threads}"
            )
        # 0: password views share the main threads (the behaviour before the login pool).
        self.login_threads = (
            SyncThreads(login_threads, name="tidewire-login") if login_threads else self.threads
        )
        self.async_views = ASGIHandler()  # Django's own: async chain, views on the loop

    def _resolve(self, scope) -> ResolverMatch | None:
        """The view the request's path leads to, or None (Django then answers 404)."""
        try:
            return get_resolver().resolve(path_below(scope["path"], get_script_prefix(scope)))
        except Resolver404:
            return None

    async def get_response_async(self, request):
        """The whole sync chain (middleware and view) in one step on the request's thread."""
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        match = self._resolve(scope)
        view = match.func if match is not None else None
        if view is not None and iscoroutinefunction(view):
            return await self.async_views(scope, receive, send)
        threads = self.login_threads if getattr(view, LOGIN_THREADS_MARK, False) else self.threads
        index = threads.lend()
        try:
            async with ThreadSensitiveContext(executor=threads.executor(index)):
                await self.handle(scope, receive, send)
        finally:
            threads.give_back(index)


def get_asgi_application() -> PooledASGIHandler:
    """Set Django up and return the pooled handler (as django.core.asgi does for its own)."""
    import django

    django.setup(set_prefix=False)
    return PooledASGIHandler()
