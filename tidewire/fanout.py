"""Delivery: one hub per process follows topics and fans their events out to its sockets.

Between processes an event travels once through the channel layer, to the group
of its topic, which holds one channel per process that follows the topic. Inside
a process the hub keeps each topic's events in offset order: a frame that arrives
ahead of a gap is held while the missing ones are read from the store, and a
periodic resync reads whatever the layer never brought (a writer that died after
commit, a Redis restart). Followers see every offset once, in order.

The same groups carry signals (ephemeral: delivered to whoever follows the topic
now) and presence (tidewire/presence_sync.py); the group `tw.control` reaches
every process, for messages about sockets rather than topics (close a user's
sockets, tidewire/connections.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from . import metrics
from .background import spawn
from .conf import tidewire_setting
from .outbound import Outbound
from .presence_sync import PresenceSync
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
# The group every process joins, for messages about sockets rather than topics.
CONTROL_GROUP = "tw.control"

ControlHandler = Callable[[dict[str, Any]], None]


class Follower(Protocol):
    """What the hub hands a topic's traffic to (a socket's subscription)."""

    def deliver(self, outbound: Outbound) -> None:
        """An event (in offset order, each once) or a signal of the topic."""

    def send_text(self, text: str) -> None:
        """A frame about the topic built for this follower (presence)."""


class TopicState:
    """What this process knows of one topic it follows."""

    __slots__ = ("delivered", "filling", "followers", "held", "resync_mark")

    def __init__(self) -> None:
        self.followers: dict[Any, Follower] = {}
        self.delivered: int | None = None  # highest offset handed out, in order
        self.held: dict[int, Outbound] = {}  # events that arrived ahead of a gap
        self.filling = False  # a read from the store is under way
        self.resync_mark: int | None = None  # the store's offset at the previous resync


class Hub:
    """This process's followers by topic, fed by one channel-layer channel."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.channel: str | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._starting: asyncio.Task[None] | None = None
        self._topics: dict[str, TopicState] = {}
        self._joining: dict[str, asyncio.Future[None]] = {}
        self._markers: dict[str, asyncio.Future[None]] = {}
        self._control: dict[str, ControlHandler] = {}
        self._periodic: list[Callable[[], Awaitable[None]]] = []
        self.presence = PresenceSync(self)

    def reset(self) -> None:
        """Forget every follower and the channel (tests switch layers between runs)."""
        for task in self._tasks:
            if not task.done():
                with contextlib.suppress(RuntimeError):  # its loop may be closed already
                    task.cancel()
        self.loop = None
        self.channel = None
        self._tasks = []
        self._topics.clear()
        self._joining.clear()
        self._markers.clear()
        self.presence = PresenceSync(self)

    def is_idle(self) -> bool:
        """Nothing followed, joined or waited for (what every socket leaves behind)."""
        return not (self._topics or self._joining or self._markers or self.presence.topics())

    def followed(self) -> list[str]:
        return list(self._topics)

    def on_control(self, message_type: str, handler: ControlHandler) -> None:
        """Call `handler(message)` for each control message of that type, in every process."""
        self._control[message_type] = handler

    def every_resync(self, job: Callable[[], Awaitable[None]]) -> None:
        """Run `await job()` at every resync interval, as long as the hub runs."""
        self._periodic.append(job)

    async def send_control(self, message: dict[str, Any]) -> None:
        """Send a message to every process's hub (this one included, if it runs)."""
        await get_channel_layer().group_send(CONTROL_GROUP, message)

    async def subscribe(self, topic: str, key: Any, follower: Follower) -> None:
        """Hand the topic's traffic to `follower` until `unsubscribe(topic, key)`.

        Returns once this process is sure to receive the topic's events; the
        follower then gets every offset above the topic's offset at that moment, in
        order. If joining fails (the layer or the store is unreachable), the
        follower is removed again and the error raised: nothing is left behind.
        """
        await self.ensure_running()
        state = self._topics.setdefault(topic, TopicState())
        state.followers[key] = follower
        try:
            await self._ensure_joined(topic, state)
        except BaseException:
            self.unsubscribe(topic, key)
            raise

    async def _ensure_joined(self, topic: str, state: TopicState) -> None:
        """Join the topic once for all its followers; later callers wait for the first."""
        if state.delivered is not None:
            return
        joining = self._joining.get(topic)
        if joining is not None:
            await asyncio.shield(joining)
            if state.delivered is None:
                raise ConnectionError(f"joining {topic!r} failed")
            return
        joining = self._joining[topic] = self.loop.create_future()
        try:
            await self._join(topic, state)
        finally:
            del self._joining[topic]
            joining.set_result(None)
            if not state.followers:
                self._leave(topic, state)  # everyone left while the join was in flight

    def unsubscribe(self, topic: str, key: Any) -> None:
        """Stop handing the topic to `key`; the last one out leaves the group.

        Synchronous, so it runs on every path a socket leaves by (close, error,
        cancellation); leaving the layer group goes on in the background.
        """
        state = self._topics.get(topic)
        if state is None or state.followers.pop(key, None) is None:
            return
        if not state.followers and topic not in self._joining:
            self._leave(topic, state)

    def _leave(self, topic: str, state: TopicState) -> None:
        if self._topics.get(topic) is not state:
            return
        del self._topics[topic]
        self.presence.forget(topic)
        if self.channel is not None:  # also after a failed join: group_add may have happened
            spawn(self._discard(topic, self.channel))

    async def _discard(self, topic: str, channel: str) -> None:
        try:
            await get_channel_layer().group_discard(group_name(topic), channel)
        except Exception:  # the group's membership expires by itself in Redis
            logger.warning("leaving %s failed", topic, exc_info=True)

    def dispatch(self, outbound: Outbound) -> None:
        """Take an event from the layer: hand it out in order, hold it, or drop a repeat."""
        state = self._topics.get(outbound.topic)
        if state is None:
            return
        if state.delivered is None or outbound.offset > state.delivered + 1:
            state.held[outbound.offset] = outbound
            if state.delivered is not None:
                self._fill_later(outbound.topic, state, wait=GAP_WAIT)
            return
        if outbound.offset == state.delivered + 1:
            self._deliver(state, outbound)
            self._release_held(outbound.topic, state)

    def dispatch_signal(self, outbound: Outbound) -> None:
        """Take a signal from the layer and hand it to every follower of its topic now."""
        state = self._topics.get(outbound.topic)
        if state is not None:
            for follower in tuple(state.followers.values()):
                follower.deliver(outbound)

    def send_text(self, topic: str, text: str, *, exclude: Any = None) -> None:
        """Send a frame about the topic to each of its local followers (but `exclude`)."""
        state = self._topics.get(topic)
        if state is not None:
            for key, follower in tuple(state.followers.items()):
                if key is not exclude:
                    follower.send_text(text)

    def _deliver(self, state: TopicState, outbound: Outbound) -> None:
        state.delivered = outbound.offset
        followers = tuple(state.followers.values())
        for follower in followers:
            follower.deliver(outbound)
        metrics.observe_delivery(outbound.published_at, len(followers))

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
                    return  # the missing events came through the layer meanwhile
            while self._topics.get(topic) is state and state.delivered is not None:
                events = await database_sync_to_async(stream_read)(
                    topic=topic, after=state.delivered, limit=FILL_BATCH
                )
                if events and events[0].offset > state.delivered + 1:
                    # Trimmed by retention before this process saw them: go on from here.
                    state.delivered = events[0].offset - 1
                for stored in events:
                    if stored.offset == state.delivered + 1:
                        self._deliver(state, Outbound.of(stored))
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
        await layer.group_add(group_name(topic), self.channel)
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
        offset = await database_sync_to_async(stream_offset)(topic=topic)
        state.delivered = offset
        self._release_held(topic, state)

    async def ensure_running(self) -> None:
        """Start listening on this process's channel (once per event loop).

        Sockets opening together all call this: the first starts the hub and the
        others wait for that start. On Redis, making the channel and joining the
        control group take round trips, and each caller used to start a hub of its
        own meanwhile (a thousand sockets opening at once left ten listeners and ten
        relays: ten resyncs a second and a presence refresh every two seconds).
        """
        loop = asyncio.get_running_loop()
        if self._running_on(loop):
            return
        starting = self._starting
        if starting is None or starting.done() or starting.get_loop() is not loop:
            starting = self._starting = loop.create_task(self._start(loop))
        await asyncio.shield(starting)  # one caller cancelled does not stop the others' start

    def _running_on(self, loop: asyncio.AbstractEventLoop) -> bool:
        return self.loop is loop and bool(self._tasks) and not any(t.done() for t in self._tasks)

    async def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.loop is not None:  # a new event loop (tests), or a task died: start afresh
            self.reset()
        layer = get_channel_layer()
        channel = await layer.new_channel("tidewire.hub.")
        await layer.group_add(CONTROL_GROUP, channel)
        self.loop, self.channel = loop, channel
        self._tasks = [
            loop.create_task(self._listen(layer, channel)),
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
            try:
                self._route(message)
            except Exception:
                logger.exception("hub could not handle a %r message", message.get("type"))

    def _route(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "tidewire.event":
            self.dispatch(_outbound(message, offset=message["offset"]))
        elif kind == "tidewire.signal":
            self.dispatch_signal(_outbound(message, offset=None))
        elif kind == "tidewire.marker":
            marker = self._markers.get(message["token"])
            if marker is not None and not marker.done():
                marker.set_result(None)
        elif kind.startswith("tidewire.presence"):
            self.presence.receive(message)
        elif kind in self._control:
            self._control[kind](message)

    async def _resync_forever(self) -> None:
        """The relay: now and then, read what the layer never brought, and trim the store."""
        since_trim = 0.0
        while True:
            interval = tidewire_setting("RESYNC_INTERVAL")
            await asyncio.sleep(interval)
            try:
                await self.resync()
                await self.presence.tick()
                for job in self._periodic:
                    await job()
                since_trim += interval
                if since_trim >= tidewire_setting("TRIM_INTERVAL"):
                    since_trim = 0.0
                    await database_sync_to_async(stream_trim)(
                        older_than_seconds=tidewire_setting("RETENTION_SECONDS")
                    )
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("resync failed; trying again in %ss", interval)

    async def resync(self) -> None:
        """Compare each followed topic with the store and fill what is missing."""
        followed = [t for t, s in self._topics.items() if s.delivered is not None]
        if not followed:
            return
        offsets = await database_sync_to_async(stream_offsets)(topics=followed)
        for topic in followed:
            state = self._topics.get(topic)
            if state is None or state.delivered is None:
                continue
            # An event committed a moment ago is usually still on its way through the
            # layer: read from the store only what it already held at the previous
            # resync and that has not come since (under load, reading every topic
            # that was a few milliseconds behind cost more than the sends).
            mark, state.resync_mark = state.resync_mark, offsets.get(topic, 0)
            if mark is not None and state.delivered < mark:
                self._fill_later(topic, state, wait=0)


hub = Hub()


def _outbound(message: dict[str, Any], *, offset: int | None) -> Outbound:
    return Outbound(
        topic=message["topic"],
        offset=offset,
        type=message["event_type"],
        body=message["body"],
        published_at=message.get("published_at"),
    )


def _layer_message(kind: str, topic: str, event_type: str, body: str, **extra: Any) -> dict:
    return {"type": kind, "topic": topic, "event_type": event_type, "body": body, **extra}


async def abroadcast_many(events: list[StoredEvent]) -> None:
    """Send stored events (one commit's) to every process following their topics, in order.

    One call to the layer for them all (tidewire/layers.py: one Redis round trip).
    """
    now = time.time()
    messages = []
    for stored in events:
        message = _layer_message(
            "tidewire.event",
            stored.topic,
            stored.type,
            stored.body,
            offset=stored.offset,
            published_at=now,
        )
        messages.append((group_name(stored.topic), message))
        metrics.count(metrics.EVENTS_PUBLISHED, family=metrics.topic_family(stored.topic))
    layer = get_channel_layer()
    send_many = getattr(layer, "group_send_many", None)
    if send_many is not None:
        await send_many(messages)
        return
    for group, message in messages:  # a layer of channels' own (a test's settings)
        await layer.group_send(group, message)


async def asignal(*, topic: str, event_type: str, body: str) -> None:
    """Send a signal to every process following its topic (nothing is stored)."""
    message = _layer_message("tidewire.signal", topic, event_type, body)
    await get_channel_layer().group_send(group_name(topic), message)


def run_from_any_thread(coroutine_function: Callable[[], Awaitable[None]]) -> None:
    """Run a layer send from sync or async code without waiting for it to be delivered.

    On the hub's loop it runs in the background; from another thread it is handed
    to that loop; in a process that never opened a socket (a command, a worker)
    nobody local listens, but other processes may, through Redis: it runs here.
    """
    loop = hub.loop
    if loop is not None and loop.is_running():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            spawn(coroutine_function())
        else:
            asyncio.run_coroutine_threadsafe(coroutine_function(), loop)
        return

    async def run_here() -> None:
        await coroutine_function()

    async_to_sync(run_here)()


def broadcast(events: list[StoredEvent]) -> None:
    """Send stored events (one commit's) from any thread; returns without waiting for delivery.

    A failure here loses nothing: the events are in the store, and every process
    that follows their topics reads them at its next resync.
    """
    run_from_any_thread(lambda: abroadcast_many(events))
