"""Which origins may open a WebSocket: the hosts in ALLOWED_HOSTS plus explicit extras."""

from typing import Any
from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from django.conf import settings


def allowed_origins() -> list[str]:
    """ALLOWED_HOSTS patterns (any scheme and port) and TIDEWIRE["ALLOWED_ORIGINS"] (exact)."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]  # as Django does for requests
    return hosts + list(settings.TIDEWIRE["ALLOWED_ORIGINS"])


class _Origins(OriginValidator):
    """Channels' origin matching, on the list in force (read from settings each time)."""

    def __init__(self) -> None:
        pass  # no application to wrap: used for its matching only

    @property
    def allowed_origins(self) -> list[str]:
        return allowed_origins()


_origins = _Origins()


def origin_allowed(scope: dict[str, Any]) -> bool:
    """Whether the handshake's Origin header is allowed (a missing one is not)."""
    parsed = None
    for name, value in scope.get("headers", ()):
        if name == b"origin":
            parsed = urlparse(value.decode("latin-1"))
    return _origins.valid_origin(parsed)
