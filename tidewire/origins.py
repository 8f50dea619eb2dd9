"""Which origins may open a WebSocket: the server's own, exactly, plus explicit extras.

A browser sends `Origin: scheme://host[:port]` with every handshake. It is
compared whole, as Django's CSRF check compares it: the server's own origin
(the handshake's scheme and `Host`, the host in ALLOWED_HOSTS), or one listed in
`CSRF_TRUSTED_ORIGINS` or `TIDEWIRE["ALLOWED_ORIGINS"]`. A page on another port
or scheme of the same host is another origin and is refused (it could otherwise
read the live stream with the user's cookies).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from .conf import tidewire_setting

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    """The last value of a handshake header (as Channels reads Origin)."""
    found = None
    for key, value in scope.get("headers", ()):
        if key == name:
            found = value.decode("latin-1")
    return found


def normalize_origin(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, lower-cased with the default port filled in."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def _own_origin(scope: dict[str, Any]) -> tuple[str, str, int] | None:
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host.lower())
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # as Django does for requests
    if not domain or not validate_host(domain, allowed):
        return None
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    return normalize_origin(f"{scheme}://{host}")


def origin_allowed(scope: dict[str, Any]) -> bool:
    """Whether the handshake's Origin is exactly an allowed origin (a missing one is not)."""
    origin = _header(scope, b"origin")
    parsed = normalize_origin(origin) if origin else None
    if parsed is None:
        return False
    if parsed == _own_origin(scope):
        return True
    extra = [*settings.CSRF_TRUSTED_ORIGINS, *tidewire_setting("ALLOWED_ORIGINS")]
    return any(parsed == normalize_origin(allowed) for allowed in extra)


def client_address(scope: dict[str, Any]) -> str:
    """The client's address as the server saw it (rewritten only by trusted proxies)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
