"""Fixtures shared by every test: a real Redis and a choice of channel layer."""

from __future__ import annotations

import pytest
from channels.layers import channel_layers

from tidewire.fanout import hub
from tidewire.testing.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server():
    """A private redis-server for the whole run, on a free port."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def _use_layer(settings, config: dict) -> None:
    settings.CHANNEL_LAYERS = {"default": config}
    channel_layers.backends.clear()
    hub.reset()


IN_MEMORY = {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 10_000}}


@pytest.fixture
def in_memory_layer(settings):
    """The embedded default: one process, in-process channel layer."""
    _use_layer(settings, IN_MEMORY)
    yield
    _use_layer(settings, IN_MEMORY)


@pytest.fixture
def redis_layer(settings, redis_server):
    """The scale-out configuration: channels_redis on a real Redis server."""
    _use_layer(
        settings,
        {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_server.url]},
        },
    )
    yield redis_server
    _use_layer(settings, IN_MEMORY)


@pytest.fixture(params=["in_memory", "redis"])
def any_layer(request):
    """Run a test once on each channel layer Tidewire supports."""
    request.getfixturevalue(f"{request.param}_layer")
    return request.param
