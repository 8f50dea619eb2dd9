"""ASGI entry point: HTTP to Django, WebSockets to their consumers (tidewire.application)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

from tidewire.sync_threads import get_asgi_application

django_asgi_app = get_asgi_application()  # sets Django up before consumers import models

from config.routing import websocket_urlpatterns  # noqa: E402
from tidewire.application import Application, SocketRouter  # noqa: E402

application = Application(http=django_asgi_app, websocket=SocketRouter(websocket_urlpatterns))
