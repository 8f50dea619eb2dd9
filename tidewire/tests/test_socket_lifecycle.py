"""A socket leaves nothing behind: failed subscribes, closes, floods, expiry and cancellation.

After each test's sockets are gone the hub must be idle: no topic followed, no
join or marker waiting, no presence kept, and no socket counted.
"""

import asyncio

import pytest
from channels.layers import InMemoryChannelLayer

from tidewire import close_codes, consumers
from tidewire.connections import connections
from tidewire.fanout import hub
from tidewire.rate_limits import FrameLimiter
from tidewire.testing.sockets import close_frame, open_socket, settle
from tidewire.topics import register_topic

pytestmark = [pytest.mark.django_db(transaction=True)]

register_topic(r"lifecycle\.(?P<n>\d+)", may_join=lambda user, m: True)
register_topic(r"lifecycle-presence\.(?P<n>\d+)", may_join=lambda user, m: True, presence=True)


async def subscribe(client, topic, ref="s"):
    await client.send_frame({"type": "subscribe", "topic": topic, "ref": ref})
    return await client.frame()


async def assert_idle():
    for _ in range(50):  # background discards and give-backs finish within a few turns
        if hub.is_idle() and connections.count() == 0:
            return
        await asyncio.sleep(0.01)
    assert hub.followed() == [] and hub.presence.topics() == []
    assert connections.count() == 0


@pytest.fixture
def failing_group_add(monkeypatch):
    """The channel layer's group_add fails (Redis down for a moment) until `.heal()`."""

    class Switch:
        broken = True

        def heal(self):
            self.broken = False

    switch = Switch()
    original = InMemoryChannelLayer.group_add

    async def group_add(self, group, channel):
        if switch.broken and group.startswith("tw.lifecycle"):
            raise ConnectionError("layer unreachable")
        return await original(self, group, channel)

    monkeypatch.setattr(InMemoryChannelLayer, "group_add", group_add)
    return switch


async def test_a_failed_group_join_answers_an_error_frame_and_leaves_nothing(
    in_memory_layer, editor, failing_group_add
):
    client, _, _ = await open_socket("/ws/", user=editor)
    error = await subscribe(client, "lifecycle.1")
    assert (error["type"], error["code"], error["ref"]) == ("error", "subscribe_failed", "s")
    assert "ConnectionError" in error["message"]
    assert hub.followed() == []  # no follower collecting the topic's events
    failing_group_add.heal()
    assert (await subscribe(client, "lifecycle.1"))["type"] == "subscribed"  # retry works
    await client.disconnect()
    await assert_idle()


async def test_a_failed_offset_read_answers_an_error_frame_and_leaves_nothing(
    in_memory_layer, editor, monkeypatch
):
    def unreachable(*, topic):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(consumers, "stream_offset", unreachable)
    client, _, _ = await open_socket("/ws/", user=editor)
    error = await subscribe(client, "lifecycle.2")
    assert error["code"] == "subscribe_failed"
    assert hub.followed() == []
    await client.disconnect()
    await assert_idle()


async def test_a_topic_left_while_its_join_is_in_flight_is_not_followed(in_memory_layer):
    class Follower:
        def deliver(self, outbound):
            pass

        def send_text(self, text):
            pass

    await hub.ensure_running()
    joining = asyncio.ensure_future(hub.subscribe("lifecycle.3", "key", Follower()))
    await asyncio.sleep(0)  # the join has started and waits for its marker
    assert "lifecycle.3" in hub._joining
    hub.unsubscribe("lifecycle.3", "key")
    await joining
    await assert_idle()  # not kept (and resynced every second) for nobody


async def test_a_cancelled_socket_releases_its_subscriptions(in_memory_layer, editor):
    client, _, _ = await open_socket("/ws/", user=editor)
    await subscribe(client, "lifecycle.4")
    await subscribe(client, "lifecycle-presence.4")
    assert set(hub.followed()) == {"lifecycle.4", "lifecycle-presence.4"}
    client.future.cancel()  # the server shutting down, or a task torn down
    with pytest.raises(asyncio.CancelledError):
        await client.future
    await assert_idle()


async def test_a_flood_is_closed_4429_once_and_cleaned_up(in_memory_layer, editor, settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SOCKET_FRAME_RATE": 1, "SOCKET_FRAME_BURST": 3}
    client, _, _ = await open_socket("/ws/", user=editor)
    await subscribe(client, "lifecycle.5")
    for _ in range(30):  # far past the cut: frames after the close are not read
        await client.send_frame({"type": "ping"})
    close = await close_frame(client)
    assert close["code"] == close_codes.RATE_LIMITED
    await client.send_input({"type": "websocket.disconnect", "code": 1000})
    await client.wait(timeout=3)  # the consumer ended without an exception (one close only)
    assert client.future.exception() is None
    await assert_idle()


async def test_a_second_close_is_a_no_op(in_memory_layer, editor):
    client, _, _ = await open_socket("/ws/", user=editor)
    await subscribe(client, "lifecycle.6")
    [socket] = connections.sockets_of(str(editor.pk))
    await socket.close(code=close_codes.RATE_LIMITED, reason="too many frames")
    await socket.close(code=close_codes.UNAUTHORIZED, reason="token expired")  # races the first
    close = await close_frame(client)
    assert close["code"] == close_codes.RATE_LIMITED
    assert await client.receive_nothing(timeout=0.2)  # no second close message
    await client.send_input({"type": "websocket.disconnect", "code": close_codes.RATE_LIMITED})
    await client.wait(timeout=3)
    assert client.future.exception() is None
    await assert_idle()


async def test_token_expiry_closes_and_cleans_up(in_memory_layer, editor, settings):
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(editor)
    # `exp` is whole seconds (truncated): a 1 s lifetime could leave almost nothing, and
    # the socket would close before the subscribe below; 2 s leaves at least one.
    token.set_exp(lifetime=timedelta(seconds=2))
    client, _, _ = await open_socket("/ws/", token=str(token))
    await subscribe(client, "lifecycle.7")
    close = await close_frame(client, timeout=5)
    assert (close["code"], close["reason"]) == (close_codes.UNAUTHORIZED, "token expired")
    await client.send_input({"type": "websocket.disconnect", "code": close_codes.UNAUTHORIZED})
    await client.wait(timeout=3)
    await settle()
    await assert_idle()


def test_a_steady_flood_is_cut_off_though_some_frames_get_through():
    # 100 frames a second for 5 s against 20/s with bursts of 40: one frame in five
    # is admitted as the bucket refills, so refusals never run 40 in a row.
    clock = [0.0]
    limiter = FrameLimiter(rate=20, burst=40, window=10, clock=lambda: clock[0])
    verdicts = []
    for _ in range(500):
        clock[0] += 0.01
        verdicts.append(limiter.take())
    assert FrameLimiter.CUT in verdicts
    assert verdicts.index(FrameLimiter.CUT) < 200  # within the first two seconds


def test_an_occasional_extra_frame_is_warned_not_cut():
    clock = [0.0]
    limiter = FrameLimiter(rate=20, burst=40, window=10, clock=lambda: clock[0])
    verdicts = []
    for _ in range(21 * 90):  # 21 frames a second for 90 s against 20/s (burst gone at 40 s)
        clock[0] += 1 / 21
        verdicts.append(limiter.take())
    assert FrameLimiter.CUT not in verdicts
    assert FrameLimiter.WARN in verdicts


async def test_a_closed_socket_leaves_no_reference_cycle(in_memory_layer, editor):
    """Its objects are freed when it closes, by reference counting: tidewire.collector
    freezes what survives a full collection, so a cycle of a closed socket's objects
    waited for the hourly complete collection (+20 MiB an hour in the soak)."""
    import gc

    from tidewire.sender import Sender
    from tidewire.sockets import SocketConsumer

    async def open_and_close():
        client, _, _ = await open_socket("/ws/", user=editor)
        await subscribe(client, "lifecycle.6")
        await client.disconnect()

    await open_and_close()  # first use: module-level caches filled
    await assert_idle()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(5):
            await open_and_close()
        await assert_idle()
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, SocketConsumer | Sender)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
