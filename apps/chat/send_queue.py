"""Messages sent over this process's sockets, stored in batches (group commit).

One at a time, a message costs its sync thread about twenty statements and a
transaction; at a few hundred a second the thread is the bottleneck and every
message waits behind the others (docs/benchmark.md, Chat). Here a socket's send
joins the queue; a writer takes everything waiting, up to MAX_BATCH, to a sync
thread and stores it with `services.messages_send` (one transaction, one
statement per step); what arrives meanwhile is the next batch. A message alone
is written at once, as before; under load the batches grow and the cost per
message falls. One writer per event loop, whatever the number of sync threads:
with four on PostgreSQL the batches split four ways and ran side by side under
one GIL, each smaller and slower; one writer gave the same load p99 54-62 ms
instead of 137-156 ms, and 3.7 ms of CPU a message instead of 4.7
(docs/benchmark.md, Chat). Requests and other socket work keep every thread.

Each send still gets its own result: its ack, or the error frame its own fault
earns (a blank body, a block, the send limit), whatever the others in its batch.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from typing import Any

from tidewire.background import spawn
from tidewire.sync_threads import on_sync_thread
from tidewire.throttles import users_rate_allow
from tidewire.topics import FrameRefused

from . import services
from .events import message_snapshot

MAX_BATCH = 200  # sends per transaction: bounds a batch's time and its statements' size
SEND_SCOPE = "chat_send"  # the DRF throttle scope; REST and sockets share one budget per user

Request = tuple[int, Any, Any, str]  # conversation id, sender, body, client_id


class SendQueue:
    """This event loop's waiting sends and the one writer storing them."""

    def __init__(self) -> None:
        self._waiting: deque[tuple[Request, asyncio.Future]] = deque()
        self._writing = False

    async def send(self, conversation_id: int, user: Any, body: Any, client_id: str) -> dict:
        """Store the message (or find it stored): its snapshot, or what `message_send` raises."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append(((conversation_id, user, body, client_id), future))
        if not self._writing:
            self._writing = True
            spawn(self._write(), detach=True)
        return await future

    async def _write(self) -> None:
        try:
            while self._waiting:
                batch = [self._waiting.popleft() for _ in range(min(MAX_BATCH, len(self._waiting)))]
                try:
                    results = await on_sync_thread(_send_batch, [request for request, _ in batch])
                except Exception as error:  # the database is down: every send of the batch
                    results = [error] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():  # its socket went away meanwhile
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._writing = False


def _send_batch(requests: list[Request]) -> list[dict[str, Any] | Exception]:
    """On a sync thread: each sender's send limit, then the allowed sends in one batch."""
    results: list[dict[str, Any] | Exception | None] = [None] * len(requests)
    allowed = []
    limits = users_rate_allow(SEND_SCOPE, [user for _, user, _, _ in requests])
    for index, (ok, wait) in enumerate(limits):
        if ok:
            allowed.append(index)
        else:
            results[index] = FrameRefused(
                "rate_limited", f"too many messages: retry in {wait:.0f} seconds"
            )
    sent = services.messages_send([requests[index] for index in allowed])
    for index, result in zip(allowed, sent, strict=True):
        results[index] = result if isinstance(result, Exception) else message_snapshot(result[0])
    return results


_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SendQueue] = (
    weakref.WeakKeyDictionary()
)


def send_queue() -> SendQueue:
    """The running event loop's queue (tests run several loops, one after another)."""
    loop = asyncio.get_running_loop()
    queue = _queues.get(loop)
    if queue is None:
        queue = _queues[loop] = SendQueue()
    return queue
