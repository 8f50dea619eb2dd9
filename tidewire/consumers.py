"""Sockets that follow topics: the multiplexed socket and the fixed-topic seed endpoints.

Frames and close codes are documented in docs/protocol.md.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from . import close_codes
from .fanout import hub
from .frames import Frame
from .sender import Sender
from .sockets import SocketConsumer
from .streams import stream_offset, stream_read
from .topics import TopicError, authorize_join

# Events read from the store per query during a replay: bounds one query's memory.
REPLAY_BATCH = 500


class Subscription:
    """One socket following one topic: holds frames back while it catches up, drops repeats."""

    __slots__ = ("body_only", "last_offset", "pending", "sender")

    def __init__(self, sender: Sender, *, body_only: bool) -> None:
        self.sender = sender
        self.body_only = body_only
        self.last_offset = 0
        self.pending: list[Frame] | None = []  # live frames that arrive during catch-up

    def deliver(self, frame: Frame) -> None:
        """Send a live frame, unless the socket is still catching up or has seen it."""
        if self.pending is not None:
            self.pending.append(frame)
        elif frame.offset > self.last_offset:
            self.last_offset = frame.offset
            self.sender.send_event(frame, body_only=self.body_only)

    def go_live(self, last_offset: int) -> None:
        """Catch-up is done up to `last_offset`: flush held frames past it and go live."""
        self.last_offset = last_offset
        pending, self.pending = self.pending or [], None
        for frame in sorted(pending, key=lambda f: f.offset):
            self.deliver(frame)


class CatchUp:
    """A subscription that has replayed up to `offset` and waits to go live."""

    __slots__ = ("complete", "offset", "subscription")

    def __init__(self, subscription: Subscription, offset: int, *, complete: bool) -> None:
        self.subscription = subscription
        self.offset = offset
        self.complete = complete

    def go_live(self) -> None:
        """Flush frames held during catch-up and deliver live from now on."""
        self.subscription.go_live(self.offset)


class TopicsConsumer(SocketConsumer):
    """Shared subscribe/unsubscribe machinery for sockets that follow topics."""

    async def connect(self) -> None:
        """Accept; topics are joined by the client's frames or a subclass."""
        self.subscriptions: dict[str, Subscription] = {}
        await self.accept()

    async def disconnect(self, code: int) -> None:
        """Leave every topic."""
        for topic in list(getattr(self, "subscriptions", {})):
            await hub.unsubscribe(topic, self)
        self.subscriptions = {}

    async def follow(self, topic: str, *, after: int | None, body_only: bool) -> CatchUp:
        """Subscribe to a topic and replay what came after `after`; the caller then goes live.

        The hub subscription starts before the store is read, so an event committed in
        between is held and sent once, after the replay: no gap and no duplicate.
        """
        subscription = Subscription(self.sender, body_only=body_only)
        self.subscriptions[topic] = subscription
        await hub.subscribe(topic, self, subscription.deliver)
        current = await database_sync_to_async(stream_offset)(topic=topic)
        if after is None or after >= current:
            return CatchUp(subscription, current, complete=True)
        return await self._replay(topic, after, current, subscription)

    async def unfollow(self, topic: str) -> bool:
        """Stop following a topic; False if it was not followed."""
        if self.subscriptions.pop(topic, None) is None:
            return False
        await hub.unsubscribe(topic, self)
        return True

    async def _replay(
        self, topic: str, after: int, until: int, subscription: Subscription
    ) -> CatchUp:
        last = after
        while last < until:
            events = await database_sync_to_async(stream_read)(
                topic=topic, after=last, limit=REPLAY_BATCH
            )
            if not events or events[0].offset != last + 1:
                return CatchUp(subscription, until, complete=False)  # trimmed by retention
            for stored in events:
                self.sender.send_event(Frame.of(stored), body_only=subscription.body_only)
                last = stored.offset
        return CatchUp(subscription, last, complete=True)


class FixedTopicConsumer(TopicsConsumer):
    """A seed endpoint: one fixed topic, event bodies sent bare, in the seed's format."""

    topic: str = ""

    async def connect(self) -> None:
        """Join the topic before accepting, so every event after the handshake arrives."""
        self.subscriptions = {}
        if not authorize_join(self.scope.get("user"), self.topic):
            await self.close(code=close_codes.FORBIDDEN)
            return
        catch_up = await self.follow(self.topic, after=None, body_only=True)
        await self.accept()
        catch_up.go_live()


class MultiplexConsumer(TopicsConsumer):
    """The one socket per tab: subscribe to many topics, resume each from an offset."""

    async def receive_frame(self, frame: dict[str, Any]) -> None:
        """Handle subscribe and unsubscribe; the base handles ping and errors."""
        kind = frame["type"]
        if kind == "subscribe":
            await self._subscribe(frame)
        elif kind == "unsubscribe":
            await self._unsubscribe(frame)
        else:
            await super().receive_frame(frame)

    async def _subscribe(self, frame: dict[str, Any]) -> None:
        ref, topic, after = frame.get("ref"), frame.get("topic"), frame.get("offset")
        if not isinstance(topic, str):
            self.send_error("invalid_frame", '"topic" must be a string', ref)
            return
        if after is not None and (type(after) is not int or after < 0):
            self.send_error("invalid_frame", '"offset" must be a non-negative integer', ref)
            return
        try:
            allowed = authorize_join(self.scope.get("user"), topic)
        except TopicError as error:
            self.send_error("unknown_topic", str(error), ref)
            return
        if not allowed:
            self.send_error("forbidden", f"not allowed to join {topic!r}", ref)
            return
        if topic in self.subscriptions:
            self.send_error("already_subscribed", f"already subscribed to {topic!r}", ref)
            return
        catch_up = await self.follow(topic, after=after, body_only=False)
        if not catch_up.complete:
            # Events after `offset` are gone from the store: the client reloads its state.
            self.send_frame(
                {"type": "reset", "topic": topic, "offset": catch_up.offset, "ref": ref}
            )
        # Replayed events (if any) went out first; live ones follow the ack.
        self.send_frame(
            {"type": "subscribed", "topic": topic, "offset": catch_up.offset, "ref": ref}
        )
        catch_up.go_live()

    async def _unsubscribe(self, frame: dict[str, Any]) -> None:
        ref, topic = frame.get("ref"), frame.get("topic")
        if not isinstance(topic, str) or not await self.unfollow(topic):
            self.send_error("not_subscribed", f"not subscribed to {topic!r}", ref)
            return
        self.send_frame({"type": "unsubscribed", "topic": topic, "ref": ref})
