"""ASGI entry point: HTTP to Django, WebSockets to the router behind an origin check."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

from tidewire.sync_threads import get_asgi_application

django_asgi_app = get_asgi_application()  # sets Django up before consumers import models

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from tidewire.auth import SocketAuthStack  # noqa: E402
from tidewire.lifespan import Lifespan  # noqa: E402
from tidewire.origins import OriginCheck  # noqa: E402
from tidewire.transport import ExposeServerSend  # noqa: E402

application = Lifespan(
    ExposeServerSend(
        ProtocolTypeRouter(
            {
                "http": django_asgi_app,
                "websocket": OriginCheck(SocketAuthStack(URLRouter(websocket_urlpatterns))),
            }
        )
    )
)
