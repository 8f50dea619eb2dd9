"""The ASGI application: connections handed on without a frame of ours waiting on them."""

import gc

import pytest
from asgiref.compatibility import is_double_callable
from uvicorn.config import Config

from config.asgi import application
from tidewire.application import Application, SocketRouter
from tidewire.consumers import MultiplexConsumer
from tidewire.testing.sockets import open_socket
from tidewire.transport import SERVER_SEND

pytestmark = pytest.mark.django_db(transaction=True)


def test_servers_see_an_asgi3_application():
    assert not is_double_callable(application)  # asgiref, Channels' test clients
    config = Config(app="config.asgi:application")
    config.load()
    assert config.interface == "asgi3"  # uvicorn's own detection


async def test_connections_go_to_the_handler_for_their_type():
    seen = []

    async def http(scope, receive, send):
        seen.append(("http", scope["path"]))

    app = Application(http=http, websocket=None)
    await app({"type": "http", "path": "/x"}, None, None)
    assert seen == [("http", "/x")]
    with pytest.raises(ValueError, match="'carrier-pigeon'"):
        app({"type": "carrier-pigeon"}, None, None)


async def test_the_router_gives_the_consumer_the_servers_send_and_the_route():
    from django.urls import path

    seen = {}

    class Recorder(MultiplexConsumer):
        async def __call__(self, scope, receive, send):
            seen.update(scope, consumer=self)

    router = SocketRouter([path("ws/<str:room>/", Recorder.as_asgi())])

    async def send(message):
        pass

    await router({"type": "websocket", "path": "/ws/lobby/"}, None, send)
    assert seen[SERVER_SEND] is send
    assert seen["url_route"] == {"args": (), "kwargs": {"room": "lobby"}}
    assert isinstance(seen["consumer"], Recorder)


def test_a_route_that_would_skip_the_origin_and_auth_checks_is_refused():
    from channels.generic.websocket import AsyncWebsocketConsumer
    from django.urls import path

    async def bare_app(scope, receive, send):
        pass

    for unchecked in (bare_app, AsyncWebsocketConsumer.as_asgi()):
        with pytest.raises(TypeError, match="must be a SocketConsumer"):
            SocketRouter([path("ws/raw/", unchecked)])


async def test_the_router_resolves_below_the_root_path():
    from django.urls import path

    seen = {}

    class Recorder(MultiplexConsumer):
        async def __call__(self, scope, receive, send):
            seen.update(scope)

    router = SocketRouter([path("ws/", Recorder.as_asgi())])
    await router({"type": "websocket", "path": "/app/ws/", "root_path": "/app"}, None, None)
    assert seen["url_route"] == {"args": (), "kwargs": {}}


async def test_an_unknown_path_is_refused_at_the_handshake(in_memory_layer, editor):
    _, accepted, _ = await open_socket("/ws/nowhere/", user=editor)
    assert not accepted


def _ours(code) -> bool:
    """Code of the application stack: Tidewire, Channels, config (not the test client)."""
    path = code.co_filename
    return any(part in path for part in ("/tidewire/", "/channels/", "/config/")) and not any(
        part in path for part in ("/testing/", "/tests/")
    )


async def test_an_open_socket_keeps_only_the_consumers_coroutine(in_memory_layer, editor):
    client, accepted, _ = await open_socket("/ws/", user=editor)
    assert accepted
    await client.send_frame({"type": "ping"})
    assert (await client.frame())["type"] == "pong"
    ours = [
        obj.cr_code.co_qualname
        for obj in gc.get_objects()
        if type(obj).__name__ == "coroutine"
        and obj.cr_frame is not None
        and any(
            part in obj.cr_code.co_filename for part in ("/tidewire/", "/channels/", "/config/")
        )
        and "/testing/" not in obj.cr_code.co_filename
        and "/tests/" not in obj.cr_code.co_filename
    ]
    # One hub per process (its listener waits in the layer's receive), not per socket.
    per_process = {"Hub._listen", "Hub._resync_forever", "InMemoryChannelLayer.receive"}
    assert [name for name in ours if name not in per_process] == ["SocketConsumer.__call__"]
    await client.disconnect()
