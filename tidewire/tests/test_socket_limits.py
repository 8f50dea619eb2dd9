"""Limits on what one user or client may take: open sockets, replays, frame fields."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from tidewire import close_codes
from tidewire.connections import connections
from tidewire.events import EventType
from tidewire.publish import publish
from tidewire.socket_counts import PROCESSES_KEY
from tidewire.testing.sockets import close_frame, open_socket
from tidewire.topics import register_topic

pytestmark = [pytest.mark.django_db(transaction=True)]

TICK = EventType("limits_test_tick", {"n": int})
register_topic(r"limits\.\d+", may_join=lambda user, m: True)


@database_sync_to_async
def emit(topic, count):
    for n in range(count):
        with transaction.atomic():
            publish(topic=topic, event=TICK, n=n)


@pytest.fixture(params=["local", "redis"])
def counted(request, settings, in_memory_layer):
    """Socket counts in this process, or in Redis (shared by every process)."""
    overrides = {"MAX_SOCKETS_PER_USER": 3, "MAX_SOCKETS_PER_ADDRESS": 5}
    if request.param == "redis":
        server = request.getfixturevalue("redis_server")
        overrides["REDIS_URL"] = server.url
    settings.TIDEWIRE = {**settings.TIDEWIRE, **overrides}
    return request.param


async def test_sockets_per_user_are_capped_and_a_closed_one_frees_its_place(counted, editor):
    open_ = [(await open_socket("/ws/", user=editor))[0] for _ in range(3)]
    refused, accepted, _ = await open_socket("/ws/", user=editor)
    assert accepted  # accepted, then closed with the reason
    close = await close_frame(refused)
    assert (close["code"], close["reason"]) == (
        close_codes.RATE_LIMITED,
        "too many open sockets for this user",
    )
    await open_[0].disconnect()
    again, _, _ = await open_socket("/ws/", user=editor)
    await again.send_frame({"type": "ping"})
    assert (await again.frame())["type"] == "pong"
    for client in [*open_[1:], again]:
        await client.disconnect()


async def test_sockets_per_client_address_are_capped(counted, django_user_model):
    users = [await django_user_model.objects.acreate(username=f"u{n}") for n in range(6)]
    clients = [(await open_socket("/ws/", user=user))[0] for user in users[:5]]
    refused, _, _ = await open_socket("/ws/", user=users[5])
    close = await close_frame(refused)
    assert close["reason"] == "too many open sockets from this address"
    for client in clients:
        await client.disconnect()


async def test_counts_of_a_process_that_stopped_heartbeating_stop_counting(
    settings, in_memory_layer, redis_server, editor
):
    import redis.asyncio

    settings.TIDEWIRE = {
        **settings.TIDEWIRE,
        "MAX_SOCKETS_PER_USER": 1,
        "REDIS_URL": redis_server.url,
    }
    # A crashed process left a socket of this user counted in Redis, long ago.
    client = redis.asyncio.Redis.from_url(redis_server.url)
    await client.hset(f"tw:sockets:user:{editor.pk}", "dead-process", 1)
    await client.zadd(PROCESSES_KEY, {"dead-process": 1})
    socket, _, _ = await open_socket("/ws/", user=editor)
    await socket.send_frame({"type": "ping"})
    assert (await socket.frame())["type"] == "pong"  # not locked out by the dead count
    await socket.disconnect()
    await client.aclose()


async def test_a_long_replay_is_a_reset(in_memory_layer, editor, settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "MAX_REPLAY_EVENTS": 5}
    await emit("limits.1", 8)
    client, _, _ = await open_socket("/ws/", user=editor)
    await client.send_frame({"type": "subscribe", "topic": "limits.1", "offset": 0})
    reset = await client.frame()
    assert (reset["type"], reset["offset"]) == ("reset", 8)  # reload instead of 8 events
    assert (await client.frame())["type"] == "subscribed"
    await client.send_frame({"type": "unsubscribe", "topic": "limits.1"})
    await client.frame()
    await client.send_frame({"type": "subscribe", "topic": "limits.1", "offset": 4})
    assert [f["offset"] for f in await client.frames(4)] == [5, 6, 7, 8]  # short: replayed
    await client.disconnect()


async def test_replays_per_user_are_rate_limited(in_memory_layer, editor, settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "REPLAY_RATE": "2/min"}
    await emit("limits.2", 3)
    client, _, _ = await open_socket("/ws/", user=editor)
    kinds = []
    for _ in range(3):
        await client.send_frame({"type": "subscribe", "topic": "limits.2", "offset": 1})
        frames = await client.frames(3 if len(kinds) < 2 else 2)
        kinds.append(frames[0]["type"])
        await client.send_frame({"type": "unsubscribe", "topic": "limits.2"})
        await client.frame()
    assert kinds == ["event", "event", "reset"]
    await client.disconnect()


@pytest.mark.parametrize(
    "ref",
    ["x" * 65, 2**60, 1.5, {"a": 1}, [1]],
    ids=["long", "huge-int", "float", "object", "list"],
)
async def test_a_ref_that_is_not_a_short_label_is_refused(in_memory_layer, editor, ref):
    client, _, _ = await open_socket("/ws/", user=editor)
    await client.send_frame({"type": "ping", "ref": ref})
    error = await client.frame()
    assert (error["type"], error["code"]) == ("error", "invalid_frame")
    assert '"ref"' in error["message"] and "ref" not in error  # not echoed back
    await client.disconnect()
    assert connections.count() == 0
