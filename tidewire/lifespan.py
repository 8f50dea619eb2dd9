"""The ASGI lifespan of a Tidewire server process: what runs for as long as it does."""

from __future__ import annotations

import asyncio
import contextlib

from .collector import collect_long_lived_apart
from .conf import tidewire_setting
from .jobs import EmbeddedRunner, job_runner


class Lifespan:
    """Answers the lifespan protocol (tidewire.application sends it lifespan scopes).

    At start-up it begins the garbage-collection policy (tidewire.collector) and,
    when the jobs are embedded (no Celery), the runner of the periodic jobs
    (tidewire.jobs); it ends both at shutdown. A server that does not speak
    lifespan starts neither, and CPython's own policy stays in force.
    """

    async def __call__(self, scope, receive, send):
        task: asyncio.Task[None] | None = None
        jobs: EmbeddedRunner | None = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                interval = tidewire_setting("GC_THAW_INTERVAL")
                if interval > 0:
                    task = asyncio.create_task(collect_long_lived_apart(interval))
                if job_runner() == "embedded":
                    jobs = EmbeddedRunner()  # off the event loop: the jobs are sync code
                    jobs.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                if jobs is not None:
                    await asyncio.to_thread(jobs.stop)
                await send({"type": "lifespan.shutdown.complete"})
                return
