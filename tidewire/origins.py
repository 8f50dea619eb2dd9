"""Which origins may open a WebSocket: the hosts in ALLOWED_HOSTS plus explicit extras."""

from channels.security.websocket import OriginValidator
from django.conf import settings


def allowed_origins() -> list[str]:
    """ALLOWED_HOSTS patterns (any scheme and port) and TIDEWIRE["ALLOWED_ORIGINS"] (exact)."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]  # as Django does for requests
    return hosts + list(settings.TIDEWIRE["ALLOWED_ORIGINS"])


class OriginCheck(OriginValidator):
    """Refuse WebSocket handshakes whose Origin header is not allowed (HTTP 403).

    The list is read from settings at each handshake, so it follows the settings
    in force rather than those at import time.
    """

    def __init__(self, application):
        self.application = application

    @property
    def allowed_origins(self) -> list[str]:
        return allowed_origins()
