"""The channel layers (tidewire/layers.py): a commit's events sent at once, in order."""

from __future__ import annotations

import asyncio
import time

import pytest

from tidewire import layers


async def _received(layer, channel: str, n: int) -> list[dict]:
    return [await asyncio.wait_for(layer.receive(channel), 2) for _ in range(n)]


async def test_pubsub_group_send_many_delivers_every_message_in_order_in_one_pipeline(
    redis_server, monkeypatch
):
    layer = layers.PubSubLayer(hosts=[redis_server.url])
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("tw.a", first)
    await layer.group_add("tw.b", second)
    await layer.group_add("tw.b", first)
    executed = []
    from redis.asyncio.client import Pipeline

    original = Pipeline.execute

    async def counted(self, *args, **kwargs):
        executed.append(len(self.command_stack))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted)
    messages = [("tw.a", {"type": "x", "n": n}) for n in range(3)] + [
        ("tw.b", {"type": "x", "n": 3})
    ]
    await layer.group_send_many(messages)
    assert executed == [4]  # one round trip for the four PUBLISHes
    assert [m["n"] for m in await _received(layer, first, 4)] == [0, 1, 2, 3]
    assert [m["n"] for m in await _received(layer, second, 1)] == [3]
    await layer.flush()


async def test_local_group_send_many_delivers_in_order():
    layer = layers.LocalLayer()
    channel = await layer.new_channel()
    await layer.group_add("tw.a", channel)
    await layer.group_send_many([("tw.a", {"type": "x", "n": n}) for n in range(5)])
    assert [m["n"] for m in await _received(layer, channel, 5)] == list(range(5))


async def test_local_memberships_outlive_a_day(monkeypatch):
    """channels' in-memory layer dropped a group member after 86,400 s: a server up for a
    day stopped getting its topics' events through the layer."""
    layer = layers.LocalLayer()
    channel = await layer.new_channel()
    await layer.group_add("tw.a", channel)
    later = time.time() + 3 * 86_400
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(layers, "SWEEP_INTERVAL", 0)
    await layer.group_send("tw.a", {"type": "x"})
    assert (await _received(layer, channel, 1))[0]["type"] == "x"


async def test_local_sweeps_at_most_once_a_second(monkeypatch):
    layer = layers.LocalLayer()
    sweeps = []
    monkeypatch.setattr(
        layers.InMemoryChannelLayer, "_clean_expired", lambda self: sweeps.append(1)
    )
    channel = await layer.new_channel()
    await layer.group_add("tw.a", channel)
    for _ in range(100):
        await layer.group_send("tw.a", {"type": "x"})
    assert len(sweeps) == 1
    clock = [time.monotonic() + 1.5]
    monkeypatch.setattr(layers.time, "monotonic", lambda: clock[0])
    await layer.group_send("tw.a", {"type": "x"})
    assert len(sweeps) == 2


@pytest.mark.parametrize("expiry", [1])
async def test_local_still_drops_expired_messages(monkeypatch, expiry):
    """What nobody received within `expiry` goes, as before (at the next sweep)."""
    layer = layers.LocalLayer(expiry=expiry)
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "old"})
    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(layers, "SWEEP_INTERVAL", 0)
    await layer.send(channel, {"type": "new"})
    assert (await _received(layer, channel, 1))[0]["type"] == "new"
