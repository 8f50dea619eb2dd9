"""The ASGI lifespan of a Tidewire server process: what runs for as long as it does."""

from __future__ import annotations

import asyncio
import contextlib

from .collector import collect_long_lived_apart
from .conf import tidewire_setting


class Lifespan:
    """Answers the lifespan protocol (tidewire.application sends it lifespan scopes).

    At start-up it begins the garbage-collection policy (tidewire.collector) and
    ends it at shutdown. A server that does not speak lifespan never starts it,
    and CPython's own policy stays in force.
    """

    async def __call__(self, scope, receive, send):
        task: asyncio.Task[None] | None = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                interval = tidewire_setting("GC_THAW_INTERVAL")
                if interval > 0:
                    task = asyncio.create_task(collect_long_lived_apart(interval))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await send({"type": "lifespan.shutdown.complete"})
                return
