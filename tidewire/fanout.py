"""Delivery: one hub per process follows topics and fans their events out to its sockets.

Between processes an event travels once through the channel layer, to the group
of its topic, which holds one channel per process that follows the topic. Inside
a process the hub keeps each topic's events in offset order: a frame that arrives
ahead of a gap is held while the missing ones are read from the store, and a
periodic resync reads whatever the layer never brought (a writer that died after
commit, a Redis restart). Subscribers see every offset once, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from .background import spawn
from .frames import Frame
from .streams import StoredEvent, stream_offset, stream_offsets, stream_read, stream_trim
from .topics import group_name

logger = logging.getLogger(__name__)

# How long the first subscriber of a topic waits for the layer to confirm the join;
# on loopback Redis it takes well under a millisecond.
JOIN_CONFIRM_TIMEOUT = 2.0
# Events published by two processes may cross on the way; wait this long for the
# missing one to come through the layer before reading it from the store.
GAP_WAIT = 0.05
# Events read from the store per query when filling a gap.
FILL_BATCH = 500

Deliver = Callable[[Frame], None]


class TopicState:
    """What this process knows of one topic it follows."""

    __slots__ = ("delivered", "filling", "held", "subscribers")

    def __init__(self) -> None:
        self.subscribers: dict[Any, Deliver] = {}
        self.delivered: int | None = None  # highest offset handed out, in order
        self.held: dict[int, Frame] = {}  # frames that arrived ahead of a gap
        self.filling = False  # a read from the store is under way


class Hub:
    """This process's subscribers by topic, fed by one channel-layer channel."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._channel: str | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._topics: dict[str, TopicState] = {}
        self._joining: dict[str, asyncio.Future[None]] = {}
        self._markers: dict[str, asyncio.Future[None]] = {}

    def reset(self) -> None:
        """Forget every subscriber and the channel (tests switch layers between runs)."""
        for task in self._tasks:
            if not task.done():
                with contextlib.suppress(RuntimeError):  # its loop may be closed already
                    task.cancel()
        self.loop = None
        self._channel = None
        self._tasks = []
        self._topics.clear()
        self._joining.clear()
        self._markers.clear()

    async def subscribe(self, topic: str, key: Any, deliver: Deliver) -> None:
        """Call `deliver` with every frame of the topic until `unsubscribe(topic, key)`.

        Returns once this process is sure to receive the topic's events; `deliver`
        then gets every offset above the topic's offset at that moment, in order.
        """
        await self._ensure_running()
        state = self._topics.setdefault(topic, TopicState())
        state.subscribers[key] = deliver
        await self._ensure_joined(topic, state)

    async def _ensure_joined(self, topic: str, state: TopicState) -> None:
        """Join the topic once for all its subscribers; later callers wait for the first."""
        if state.delivered is not None:
            return
        joining = self._joining.get(topic)
        if joining is not None:
            await asyncio.shield(joining)
            return
        joining = self._joining[topic] = self.loop.create_future()
        try:
            await self._join(topic, state)
        finally:
            del self._joining[topic]
            joining.set_result(None)

    async def unsubscribe(self, topic: str, key: Any) -> None:
        """Stop delivering the topic to `key`; the last one out leaves the group."""
        state = self._topics.get(topic)
        if state is None or state.subscribers.pop(key, None) is None:
            return
        if not state.subscribers and topic not in self._joining:
            del self._topics[topic]
            await get_channel_layer().group_discard(group_name(topic), self._channel)

    def dispatch(self, frame: Frame) -> None:
        """Take a frame from the layer: hand it out in order, hold it, or drop a repeat."""
        state = self._topics.get(frame.topic)
        if state is None:
            return
        if state.delivered is None or frame.offset > state.delivered + 1:
            state.held[frame.offset] = frame
            if state.delivered is not None:
                self._fill_later(frame.topic, state, wait=GAP_WAIT)
            return
        if frame.offset == state.delivered + 1:
            self._deliver(state, frame)
            self._release_held(frame.topic, state)

    def _deliver(self, state: TopicState, frame: Frame) -> None:
        state.delivered = frame.offset
        for deliver in tuple(state.subscribers.values()):
            deliver(frame)

    def _release_held(self, topic: str, state: TopicState) -> None:
        held = state.held
        while held:
            following = held.pop(state.delivered + 1, None)
            if following is None:
                break
            self._deliver(state, following)
        for offset in [o for o in held if o <= state.delivered]:
            del held[offset]
        if held:
            self._fill_later(topic, state, wait=GAP_WAIT)

    def _fill_later(self, topic: str, state: TopicState, *, wait: float) -> None:
        if not state.filling:
            state.filling = True
            spawn(self._fill(topic, state, wait))

    async def _fill(self, topic: str, state: TopicState, wait: float) -> None:
        """Read from the store what the layer has not brought, and hand it out in order."""
        try:
            if wait:
                await asyncio.sleep(wait)
                if not state.held:
                    return  # the missing frames came through the layer meanwhile
            while self._topics.get(topic) is state and state.delivered is not None:
                events = await database_sync_to_async(stream_read)(
                    topic=topic, after=state.delivered, limit=FILL_BATCH
                )
                if events and events[0].offset > state.delivered + 1:
                    # Trimmed by retention before this process saw them: go on from here.
                    state.delivered = events[0].offset - 1
                for stored in events:
                    if stored.offset == state.delivered + 1:
                        self._deliver(state, Frame.of(stored))
                self._release_held(topic, state)  # a no-op fill request while filling
                if len(events) < FILL_BATCH:
                    break
        except Exception:
            logger.exception("reading %s from the store failed; the resync retries", topic)
        finally:
            state.filling = False
        if state.held and self._topics.get(topic) is state:
            self._fill_later(topic, state, wait=GAP_WAIT)

    async def _join(self, topic: str, state: TopicState) -> None:
        """Join the topic's group, make sure it took effect, then note where the topic is."""
        layer = get_channel_layer()
        await layer.group_add(group_name(topic), self._channel)
        marker = self.loop.create_future()
        token = str(id(marker))
        self._markers[token] = marker
        try:
            await layer.group_send(group_name(topic), {"type": "tidewire.marker", "token": token})
            await asyncio.wait_for(marker, JOIN_CONFIRM_TIMEOUT)
        except TimeoutError:
            logger.warning("joining %s was not confirmed in %ss", topic, JOIN_CONFIRM_TIMEOUT)
        finally:
            self._markers.pop(token, None)
        state.delivered = await database_sync_to_async(stream_offset)(topic=topic)
        self._release_held(topic, state)

    async def _ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is loop and self._tasks and not any(t.done() for t in self._tasks):
            return
        if self.loop is not None:  # a new event loop (tests): the old one's groups are gone
            self.reset()
        self.loop = loop
        layer = get_channel_layer()
        self._channel = await layer.new_channel("tidewire.hub.")
        self._tasks = [
            loop.create_task(self._listen(layer, self._channel)),
            loop.create_task(self._resync_forever()),
        ]

    async def _listen(self, layer: Any, channel: str) -> None:
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("hub receive failed; retrying")
                await asyncio.sleep(0.5)
                continue
            if message["type"] == "tidewire.marker":
                marker = self._markers.get(message["token"])
                if marker is not None and not marker.done():
                    marker.set_result(None)
                continue
            self.dispatch(
                Frame(
                    topic=message["topic"],
                    offset=message["offset"],
                    type=message["event_type"],
                    body=message["body"],
                )
            )

    async def _resync_forever(self) -> None:
        """The relay: now and then, read what the layer never brought, and trim the store."""
        config = settings.TIDEWIRE
        since_trim = 0.0
        while True:
            interval = config["RESYNC_INTERVAL"]
            await asyncio.sleep(interval)
            try:
                await self.resync()
                since_trim += interval
                if since_trim >= config["TRIM_INTERVAL"]:
                    since_trim = 0.0
                    await database_sync_to_async(stream_trim)(
                        older_than_seconds=config["RETENTION_SECONDS"]
                    )
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("resync failed; trying again in %ss", interval)

    async def resync(self) -> None:
        """Compare each followed topic with the store; fill what is missing, retry failed joins."""
        for topic, state in list(self._topics.items()):
            if state.delivered is None and topic not in self._joining:
                await self._ensure_joined(topic, state)  # an earlier join failed
        followed = [t for t, s in self._topics.items() if s.delivered is not None]
        if not followed:
            return
        offsets = await database_sync_to_async(stream_offsets)(topics=followed)
        for topic in followed:
            state = self._topics.get(topic)
            behind = state is not None and state.delivered is not None
            if behind and offsets.get(topic, 0) > state.delivered:
                self._fill_later(topic, state, wait=0)


hub = Hub()


def _layer_message(stored: StoredEvent) -> dict[str, Any]:
    return {
        "type": "tidewire.event",
        "topic": stored.topic,
        "offset": stored.offset,
        "event_type": stored.type,
        "body": stored.body,
    }


async def abroadcast(stored: StoredEvent) -> None:
    """Send a stored event to every process following its topic."""
    await get_channel_layer().group_send(group_name(stored.topic), _layer_message(stored))


def broadcast(stored: StoredEvent) -> None:
    """Send a stored event from any thread; returns without waiting for delivery.

    A failure here loses nothing: the event is in the store, and every process
    that follows the topic reads it at its next resync.
    """
    loop = hub.loop
    if loop is not None and loop.is_running():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            spawn(abroadcast(stored))
        else:
            asyncio.run_coroutine_threadsafe(abroadcast(stored), loop)
        return
    # No socket was ever opened in this process (a command, a worker): nobody local
    # listens, but other processes may, through Redis.
    async_to_sync(abroadcast)(stored)
