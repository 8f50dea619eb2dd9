"""The ASGI application: each connection goes straight to what serves it.

ASGI middleware is a coroutine that awaits the next one, and for a WebSocket it
awaits for as long as the socket is open. Ten thousand idle sockets behind the
usual stack (lifespan, protocol router, origin check, cookie, session and auth
middleware, URL router, `as_asgi` wrapper) kept eleven coroutine frames each,
most holding their own copy of the scope: several KiB per socket. Here the
application and the socket router hand the connection on without awaiting it,
and the consumer itself checks the origin and authenticates (tidewire/sockets.py),
so the consumer's coroutine is the only one of ours that stays.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import markcoroutinefunction
from django.urls import URLResolver
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern

from .lifespan import Lifespan
from .paths import path_below
from .sockets import SocketConsumer
from .transport import SERVER_SEND


class Application:
    """HTTP to Django, WebSockets to their consumers, the lifespan to Tidewire's start-up."""

    def __init__(self, *, http: Any, websocket: Any) -> None:
        self._handlers = {"http": http, "websocket": websocket, "lifespan": Lifespan()}

    # Not `async def`: returning the handler's coroutine leaves no frame of ours
    # waiting on it. Marked so servers still see an ASGI 3 coroutine application.
    @markcoroutinefunction
    def __call__(self, scope, receive, send):
        handler = self._handlers.get(scope["type"])
        if handler is None:
            raise ValueError(f"no handler for ASGI connections of type {scope['type']!r}")
        return handler(scope, receive, send)


class SocketRouter:
    """Find the consumer for a WebSocket's path (Django URL patterns) and give it the socket.

    Every route must be a `SocketConsumer`: the origin check and authentication
    live there, so a route to anything else would skip them.
    """

    def __init__(self, routes: list[Any]) -> None:
        self._resolver = URLResolver(RegexPattern(r"^/"), routes)
        _check_routes(routes)

    @markcoroutinefunction
    def __call__(self, scope, receive, send):
        try:
            match = self._resolver.resolve(path_below(scope["path"], scope.get("root_path", "")))
        except Resolver404:
            return _refuse(receive, send)
        # The server made this scope for this connection alone: adding to it, rather
        # than copying it, keeps one scope per socket instead of two.
        scope["url_route"] = {"args": match.args, "kwargs": match.kwargs}
        scope[SERVER_SEND] = send  # the server's own send, for tidewire.transport
        return match.func.consumer_class(**match.func.consumer_initkwargs)(scope, receive, send)


def _check_routes(routes: list[Any]) -> None:
    for route in routes:
        if isinstance(route, URLResolver):
            _check_routes(route.url_patterns)
            continue
        consumer = getattr(route.callback, "consumer_class", None)
        if consumer is None or not issubclass(consumer, SocketConsumer):
            raise TypeError(
                f"WebSocket route {route.pattern} must be a SocketConsumer's as_asgi(), "
                "which checks the origin and authenticates"
            )


async def _refuse(receive, send) -> None:
    """No route: close before accepting, which the server answers with HTTP 403."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close"})
