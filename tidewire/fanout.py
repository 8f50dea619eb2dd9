"""Delivery: one hub per process fans each event out to the sockets it holds.

Between processes an event travels once through the channel layer, to the
group of its topic, which holds one channel per process that has subscribers.
Inside a process the hub encodes the frame once and hands the same message to
every socket's `Sender`; no socket passes through the channel layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .streams import StoredEvent
from .topics import group_name

logger = logging.getLogger(__name__)

Message = dict[str, Any]
RawSend = Callable[[Message], Awaitable[None]]

# How long the first subscriber of a topic waits for the layer to confirm the join;
# on loopback Redis it takes well under a millisecond.
JOIN_CONFIRM_TIMEOUT = 2.0

# The loop keeps only weak references to tasks: hold them until they finish.
_background: set[asyncio.Task[Any]] = set()


def spawn(coroutine: Any) -> asyncio.Task[Any]:
    """Run a coroutine in the background on the running loop, kept alive until done."""
    task = asyncio.ensure_future(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


class Frame:
    """One event as this process sends it; each wire format is built at most once."""

    __slots__ = ("_topic_message", "body", "offset", "topic", "type")

    def __init__(self, *, topic: str, offset: int, type: str, body: str) -> None:
        self.topic = topic
        self.offset = offset
        self.type = type
        self.body = body
        self._topic_message: Message | None = None

    @property
    def body_message(self) -> Message:
        """The event body alone, as the seed endpoints send it."""
        return {"type": "websocket.send", "text": self.body}

    @property
    def topic_message(self) -> Message:
        """The event wrapped with its topic and offset, as the multiplexed socket sends it."""
        if self._topic_message is None:
            text = (
                f'{{"type":"event","topic":"{self.topic}","offset":{self.offset},'
                f'"event":{self.body}}}'
            )
            self._topic_message = {"type": "websocket.send", "text": text}
        return self._topic_message


class Sender:
    """Sends one socket's frames in order without ever blocking the fan-out.

    An ASGI send completes at once while the socket's buffer has room, so the
    common path steps the coroutine by hand and creates no task. When the client
    stops reading, the send suspends; further frames wait in a backlog, and past
    `limit` the socket is declared too slow through `on_overflow`.
    """

    __slots__ = ("_backlog", "_raw_send", "closed", "limit", "on_overflow")

    def __init__(self, raw_send: RawSend, *, limit: int, on_overflow: Callable[[], None]):
        self._raw_send = raw_send
        self._backlog: deque[Message] | None = None
        self.limit = limit
        self.on_overflow = on_overflow
        self.closed = False

    def push(self, message: Message) -> None:
        """Send a message now if the socket can take it, else queue it behind the others."""
        if self.closed:
            return
        if self._backlog is not None:
            if len(self._backlog) >= self.limit:
                self.closed = True
                self._backlog.clear()
                self.on_overflow()
                return
            self._backlog.append(message)
            return
        coroutine = self._raw_send(message)
        try:
            waiting_on = coroutine.send(None)
        except StopIteration:
            return
        except Exception:  # the client went away; its consumer cleans up on disconnect
            self.closed = True
            return
        self._backlog = deque()
        spawn(self._finish(coroutine, waiting_on))

    async def _finish(self, coroutine: Any, waiting_on: Any) -> None:
        """Complete a suspended send, then drain the backlog in order."""
        try:
            await _resume(coroutine, waiting_on)
            while self._backlog and not self.closed:
                await self._raw_send(self._backlog.popleft())
        except Exception:
            self.closed = True
        finally:
            self._backlog = None


async def _resume(coroutine: Any, waiting_on: Any) -> None:
    """Drive a coroutine that was started by hand to its end, as a task would."""
    while True:
        try:
            if waiting_on is None:  # a bare yield: just give the loop a turn
                await asyncio.sleep(0)
            else:
                # The hand-driven coroutine marked the future as awaited; a task clears
                # that mark before it waits, and so must we.
                waiting_on._asyncio_future_blocking = False
                await waiting_on
        except BaseException:  # the coroutine sees its own future's outcome below
            pass
        try:
            waiting_on = coroutine.send(None)
        except StopIteration:
            return


class Hub:
    """This process's subscribers by topic, fed by one channel-layer channel."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._channel: str | None = None
        self._listener: asyncio.Task[None] | None = None
        self._subscribers: dict[str, dict[Any, Callable[[Frame], None]]] = {}
        self._joined: set[str] = set()  # topics whose group this process is in
        self._joining: dict[str, asyncio.Future[None]] = {}  # joins awaiting confirmation
        self._markers: dict[str, asyncio.Future[None]] = {}

    def reset(self) -> None:
        """Forget every subscriber and the channel (tests switch layers between runs)."""
        if self._listener is not None and not self._listener.done():
            with contextlib.suppress(RuntimeError):  # its loop may be closed already
                self._listener.cancel()
        self.loop = None
        self._listener = None
        self._channel = None
        self._subscribers.clear()
        self._joined.clear()
        self._joining.clear()
        self._markers.clear()

    def subscriber_count(self, topic: str) -> int:
        """How many local sockets follow the topic."""
        return len(self._subscribers.get(topic, ()))

    async def subscribe(self, topic: str, key: Any, deliver: Callable[[Frame], None]) -> None:
        """Call `deliver` with every frame of the topic until `unsubscribe(topic, key)`.

        Returns once the process is sure to receive the topic's events: the first
        subscriber of a topic joins its group and waits for a marker sent through
        the layer to come back, since a Redis SUBSCRIBE takes effect a moment
        after it is sent and an event published in that moment would be missed.
        """
        await self._ensure_listening()
        subscribers = self._subscribers.setdefault(topic, {})
        subscribers[key] = deliver
        joining = self._joining.get(topic)
        if joining is None and len(subscribers) == 1 and topic not in self._joined:
            joining = self._joining[topic] = self.loop.create_future()
            try:
                await self._join(topic)
            finally:
                del self._joining[topic]
                joining.set_result(None)
        elif joining is not None:
            await asyncio.shield(joining)

    async def _join(self, topic: str) -> None:
        layer = get_channel_layer()
        await layer.group_add(group_name(topic), self._channel)
        self._joined.add(topic)
        marker = self.loop.create_future()
        token = f"{id(marker)}"
        self._markers[token] = marker
        try:
            await layer.group_send(group_name(topic), {"type": "tidewire.marker", "token": token})
            await asyncio.wait_for(marker, JOIN_CONFIRM_TIMEOUT)
        except TimeoutError:
            logger.warning("joining %s was not confirmed in %ss", topic, JOIN_CONFIRM_TIMEOUT)
        finally:
            self._markers.pop(token, None)

    async def unsubscribe(self, topic: str, key: Any) -> None:
        """Stop delivering the topic to `key`; the last one out leaves the group."""
        subscribers = self._subscribers.get(topic)
        if not subscribers or subscribers.pop(key, None) is None:
            return
        if not subscribers and topic not in self._joining:
            del self._subscribers[topic]
            self._joined.discard(topic)
            await get_channel_layer().group_discard(group_name(topic), self._channel)

    def dispatch(self, frame: Frame) -> None:
        """Hand a frame to every local subscriber of its topic."""
        subscribers = self._subscribers.get(frame.topic)
        if subscribers:
            for deliver in tuple(subscribers.values()):
                deliver(frame)

    async def _ensure_listening(self) -> None:
        loop = asyncio.get_running_loop()
        if self._listener is not None and self.loop is loop and not self._listener.done():
            return
        if self.loop is not loop:  # a new event loop (tests): earlier groups died with the old one
            self.reset()
        self.loop = loop
        layer = get_channel_layer()
        self._channel = await layer.new_channel("tidewire.hub.")
        self._listener = loop.create_task(self._listen(layer, self._channel))

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


hub = Hub()


def _layer_message(stored: StoredEvent) -> Message:
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
    """Send a stored event from any thread; returns without waiting for delivery."""
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
