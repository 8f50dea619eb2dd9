"""The health endpoints: live answers at once; ready checks the database and the channel layer."""

import pytest
from channels.layers import channel_layers

from tidewire.testing.redis_server import free_port

pytestmark = pytest.mark.django_db


def test_live_and_ready_answer(client, in_memory_layer):
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "channel_layer": "ok"}}


def test_ready_is_503_naming_the_check_when_redis_is_unreachable(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}"]},  # nothing listens
        }
    }
    channel_layers.backends.clear()
    try:
        ready = client.get("/health/ready")
    finally:
        channel_layers.backends.clear()
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["channel_layer"].startswith("error: ")
