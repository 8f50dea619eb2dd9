"""The garbage-collection policy: survivors frozen, the dropped reclaimed at the thaw."""

import asyncio
import gc
import weakref

from tidewire.collector import collect_long_lived_apart
from tidewire.lifespan import Lifespan


class Node:
    pass


def cycle() -> tuple[Node, weakref.ref]:
    node = Node()
    node.self = node  # only the cycle collector can reclaim it
    return node, weakref.ref(node)


async def test_survivors_of_a_full_collection_are_frozen_and_reclaimed_after_the_thaw():
    task = asyncio.create_task(collect_long_lived_apart(thaw_interval=0.3))
    try:
        await asyncio.sleep(0.05)
        assert gc.get_freeze_count() > 0  # start-up objects are out of collection
        node, alive = cycle()
        gc.collect()  # a full collection: what survives it is frozen
        frozen = gc.get_freeze_count()
        del node  # dropped while frozen: no ordinary collection can reclaim it
        gc.collect()
        assert alive() is not None
        assert gc.get_freeze_count() >= frozen
        await asyncio.sleep(0.5)  # the thaw: a complete collection
        assert alive() is None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert gc.get_freeze_count() == 0  # the policy undone when it stops


async def test_lifespan_starts_and_stops_the_policy(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "GC_THAW_INTERVAL": 60}
    inbox = asyncio.Queue()
    sent = []

    async def send(message):
        sent.append(message["type"])

    await inbox.put({"type": "lifespan.startup"})
    run = asyncio.create_task(Lifespan()({"type": "lifespan"}, inbox.get, send))
    await asyncio.sleep(0.05)
    assert sent == ["lifespan.startup.complete"]
    assert gc.get_freeze_count() > 0
    await inbox.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(run, 5)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert gc.get_freeze_count() == 0
