"""Sockets that follow topics: the multiplexed socket and the fixed-topic seed endpoints.

Frames and close codes are documented in docs/protocol.md.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from channels.db import database_sync_to_async
from django.utils import timezone

from . import close_codes, metrics
from .background import spawn
from .conf import tidewire_setting
from .fanout import hub
from .outbound import Outbound
from .presence_sync import state_frame
from .replays import replay_allowed
from .rest_errors import DATABASE_ERRORS, DATABASE_UNAVAILABLE
from .sender import Sender
from .sockets import SocketConsumer
from .streams import stream_offset, stream_read
from .topics import (
    FrameRefused,
    JoinRuleFailed,
    TopicError,
    TopicFrame,
    TopicRule,
    authorize_join,
    resolve_topic,
)

logger = logging.getLogger(__name__)

# Events read from the store per query during a replay: bounds one query's memory.
REPLAY_BATCH = 500


class SubscribeFailed(Exception):
    """Following a topic failed (the channel layer or the store did not answer)."""


class Subscription:
    """One socket following one topic: holds events back while it catches up, drops repeats."""

    __slots__ = ("last_offset", "match", "pending", "rule", "seed_format", "sender", "types")

    def __init__(
        self,
        sender: Sender,
        *,
        seed_format: bool,
        rule: TopicRule,
        match: re.Match[str],
        types: frozenset[str] | None = None,
    ) -> None:
        self.sender = sender
        self.seed_format = seed_format
        # The event types this socket is sent (None: all): a seed endpoint's contract
        # may name fewer than its topic carries.
        self.types = types
        # The topic's family, resolved once: its presence, frames and leave hook.
        self.rule = rule
        self.match = match
        self.last_offset = 0
        self.pending: list[Outbound] | None = []  # live events that arrive during catch-up

    @property
    def presence(self) -> bool:
        """The topic keeps presence: the socket's user is tracked while it lasts."""
        return self.rule.presence

    def deliver(self, outbound: Outbound) -> None:
        """Send a live event, unless the socket is still catching up or has seen it.

        A signal goes out at once once the subscription is live (it has no offset
        to order by, and is only worth anything now).
        """
        if self.types is not None and outbound.type not in self.types:
            return
        if outbound.offset is None:
            if self.pending is None:
                self.sender.send_outbound(outbound, seed_format=self.seed_format)
        elif self.pending is not None:
            self.pending.append(outbound)
        elif outbound.offset > self.last_offset:
            self.last_offset = outbound.offset
            self.sender.send_outbound(outbound, seed_format=self.seed_format)

    def send_text(self, text: str) -> None:
        """A frame about the topic (presence), once the subscription is live."""
        if self.pending is None:
            self.sender.send_text(text)

    def go_live(self, last_offset: int) -> None:
        """Catch-up is done up to `last_offset`: flush held events past it and go live."""
        self.last_offset = last_offset
        pending, self.pending = self.pending or [], None
        for outbound in sorted(pending, key=lambda o: o.offset):
            self.deliver(outbound)


class TopicsConsumer(SocketConsumer):
    """Shared subscribe/unsubscribe machinery for sockets that follow topics."""

    async def connect(self) -> None:
        """Accept; topics are joined by the client's frames or a subclass."""
        self.subscriptions: dict[str, Subscription] = {}
        await self.accept()

    def release(self) -> None:
        """Leave every topic (every path out of the socket comes here, once)."""
        for topic in list(getattr(self, "subscriptions", {})):
            self.unfollow(topic)

    async def follow(
        self,
        topic: str,
        *,
        after: int | None,
        seed_format: bool,
        types: frozenset[str] | None = None,
    ) -> tuple[Subscription, int, bool]:
        """Subscribe to a topic and replay what came after `after`.

        Returns the subscription, the offset it is caught up to, and whether the
        replay was complete (False: the client must reload, `reset`); the caller
        sends its acknowledgement, then `subscription.go_live(offset)`.

        The hub subscription starts before the store is read, so an event committed
        in between is held and sent once, after the replay: no gap and no duplicate.
        If anything fails, nothing is left subscribed and SubscribeFailed is raised.
        """
        rule, match = resolve_topic(topic)
        subscription = Subscription(
            self.sender, seed_format=seed_format, rule=rule, match=match, types=types
        )
        self.subscriptions[topic] = subscription
        metrics.count(metrics.SUBSCRIPTIONS, family=metrics.topic_family(topic))
        try:
            await hub.subscribe(topic, self, subscription)
            current = await database_sync_to_async(stream_offset)(topic=topic)
            if after is None or after >= current:
                return subscription, current, True
            too_long = current - after > tidewire_setting("MAX_REPLAY_EVENTS")
            if too_long or not await replay_allowed(self.scope["user"]):
                metrics.count(metrics.RESETS)
                return subscription, current, False
            offset, complete = await self._replay(topic, after, current, subscription)
            metrics.count(metrics.RESUMES if complete else metrics.RESETS)
            return subscription, offset, complete
        except Exception as error:
            self.unfollow(topic)
            logger.warning("subscribing to %s failed", topic, exc_info=True)
            raise SubscribeFailed(
                f"could not follow {topic!r}: {error.__class__.__name__}"
            ) from error

    async def track_presence(self, topic: str) -> None:
        """Count this socket's user as present in the topic and send it who else is."""
        user = self.scope["user"]
        meta = {"name": user.get_username(), "since": timezone.now().isoformat()}
        presences = await hub.presence.track(topic, str(user.pk), meta, key=self)
        self.sender.send_text(state_frame(topic, presences))

    def unfollow(self, topic: str) -> bool:
        """Stop following a topic; False if it was not followed (synchronous)."""
        subscription = self.subscriptions.pop(topic, None)
        if subscription is None:
            return False
        metrics.count(metrics.SUBSCRIPTIONS, -1, family=metrics.topic_family(topic))
        hub.unsubscribe(topic, self)  # first: the socket is not told of its own leaving
        if subscription.presence:
            hub.presence.untrack(topic, str(self.scope["user"].pk))
        on_leave = subscription.rule.on_leave
        if on_leave is not None:
            spawn(on_leave(self.scope["user"], topic, subscription.match), detach=True)
        return True

    async def handle_topic_frame(
        self, topic: str, frame: dict[str, Any], *, reply_topic: bool
    ) -> None:
        """Hand a frame about a followed topic to the topic's `handle_in` and send its reply.

        A topic the socket does not follow gets `not_subscribed`. The reply carries
        the frame's `ref` (and the topic, when `reply_topic`); a `FrameRefused`
        becomes an error frame; the database not answering, `database_unavailable`
        (as REST's 503: try again); anything else raised is logged and answered
        `failed`. The socket stays open.
        """
        ref = frame.get("ref")
        subscription = self.subscriptions.get(topic)
        if subscription is None:
            self.send_error("not_subscribed", f"not subscribed to {topic[:100]!r}", ref)
            return
        rule, match = subscription.rule, subscription.match
        if rule.handle_in is None:
            self.send_error(
                "unknown_type", f"unknown frame type {frame['type'][:64]!r} for {topic!r}", ref
            )
            return
        request = TopicFrame(
            socket=self, user=self.scope["user"], topic=topic, match=match, frame=frame
        )
        try:
            reply = await rule.handle_in(request)
        except FrameRefused as refused:
            self.send_error(refused.code, refused.message, ref)
            return
        except DATABASE_ERRORS as error:  # as REST's 503 (tidewire/rest_errors.py)
            logger.warning(
                "database unavailable for a %r frame on %s: %s", frame["type"][:64], topic, error
            )
            self.send_error("database_unavailable", DATABASE_UNAVAILABLE, ref)
            return
        except Exception:
            logger.exception("handling a %r frame on %s failed", frame["type"][:64], topic)
            self.send_error("failed", "the server could not handle this frame", ref)
            return
        if reply is None or self.closed:
            return
        if reply_topic:
            reply = {**reply, "topic": topic}
        if ref is not None:
            reply = {**reply, "ref": ref}
        self.send_frame(reply)

    async def _replay(
        self, topic: str, after: int, until: int, subscription: Subscription
    ) -> tuple[int, bool]:
        last = after
        while last < until:
            events = await database_sync_to_async(stream_read)(
                topic=topic, after=last, limit=REPLAY_BATCH
            )
            if not events or events[0].offset != last + 1:
                return until, False  # trimmed by retention
            for stored in events:
                self.sender.send_outbound(Outbound.of(stored), seed_format=subscription.seed_format)
                last = stored.offset
        return last, True


class FixedTopicConsumer(TopicsConsumer):
    """A seed endpoint: one fixed topic, event bodies sent bare, in the seed's format."""

    topic: str = ""
    # The event types the endpoint's contract names, when fewer than the topic carries.
    event_types: frozenset[str] | None = None

    def get_topic(self) -> str:
        """The topic this socket follows (subclasses may read it from the URL)."""
        return self.topic

    async def connect(self) -> None:
        """Join the topic before accepting, so every event after the handshake arrives.

        Refused by the topic's rule: closed 4403; the rule or the join failing:
        closed 1011 (internal error) with the reason.
        """
        self.subscriptions = {}
        topic = self.fixed_topic = self.get_topic()
        try:
            allowed = await authorize_join(self.scope.get("user"), topic)
        except (TopicError, JoinRuleFailed):
            allowed = None
        if allowed is None:
            await self.refuse(close_codes.INTERNAL_ERROR, "could not check access")
            return
        if not allowed:
            _log_refused_join(self.scope, topic)
            await self.refuse(close_codes.FORBIDDEN, "not allowed")
            return
        try:
            subscription, offset, _ = await self.follow(
                topic, after=None, seed_format=True, types=self.event_types
            )
        except SubscribeFailed:
            await self.refuse(close_codes.INTERNAL_ERROR, "could not follow the topic")
            return
        await self.accept()
        subscription.go_live(offset)
        if subscription.presence:
            await self.track_presence(topic)

    async def receive_frame(self, frame: dict[str, Any]) -> None:
        """Ping is answered here; every other frame is about the one topic (`handle_in`)."""
        if frame["type"] == "ping":
            await super().receive_frame(frame)
        else:
            await self.handle_topic_frame(self.fixed_topic, frame, reply_topic=False)


class MultiplexConsumer(TopicsConsumer):
    """The one socket per tab: subscribe to many topics, resume each from an offset."""

    async def receive_frame(self, frame: dict[str, Any]) -> None:
        """Handle subscribe and unsubscribe, and frames naming a followed `topic`.

        The base handles ping and errors.
        """
        kind = frame["type"]
        if kind == "subscribe":
            await self._subscribe(frame)
        elif kind == "unsubscribe":
            self._unsubscribe(frame)
        elif kind != "ping" and "topic" in frame:
            topic = frame["topic"]
            if not isinstance(topic, str):
                self.send_error("not_subscribed", f"not subscribed to {topic!r}", frame.get("ref"))
                return
            await self.handle_topic_frame(topic, frame, reply_topic=True)
        else:
            await super().receive_frame(frame)

    async def _subscribe(self, frame: dict[str, Any]) -> None:
        ref, topic, after = frame.get("ref"), frame.get("topic"), frame.get("offset")
        if not isinstance(topic, str):
            self.send_error("invalid_frame", '"topic" must be a string', ref)
            return
        if after is not None and (type(after) is not int or not 0 <= after < 2**63):
            self.send_error("invalid_frame", '"offset" must be a non-negative integer', ref)
            return
        try:
            allowed = await authorize_join(self.scope.get("user"), topic)
        except TopicError as error:
            self.send_error("unknown_topic", str(error), ref)
            return
        except JoinRuleFailed as error:
            self.send_error("join_failed", str(error), ref)
            return
        if not allowed:
            _log_refused_join(self.scope, topic)
            self.send_error("forbidden", f"not allowed to join {topic!r}", ref)
            return
        if topic in self.subscriptions:
            self.send_error("already_subscribed", f"already subscribed to {topic!r}", ref)
            return
        try:
            subscription, offset, complete = await self.follow(
                topic, after=after, seed_format=False
            )
        except SubscribeFailed as error:
            self.send_error("subscribe_failed", str(error), ref)
            return
        if self.closed:  # the socket went away while the join was in flight
            self.unfollow(topic)
            return
        if not complete:
            # Events after `offset` are gone from the store, or too many to replay:
            # the client reloads its state.
            self.send_frame({"type": "reset", "topic": topic, "offset": offset, "ref": ref})
        # Replayed events (if any) went out first; live ones follow the ack.
        self.send_frame({"type": "subscribed", "topic": topic, "offset": offset, "ref": ref})
        subscription.go_live(offset)
        if subscription.presence:
            await self.track_presence(topic)

    def _unsubscribe(self, frame: dict[str, Any]) -> None:
        ref, topic = frame.get("ref"), frame.get("topic")
        if not isinstance(topic, str) or not self.unfollow(topic):
            shown = topic[:100] if isinstance(topic, str) else topic
            self.send_error("not_subscribed", f"not subscribed to {shown!r}", ref)
            return
        self.send_frame({"type": "unsubscribed", "topic": topic, "ref": ref})


def _log_refused_join(scope: dict[str, Any], topic: str) -> None:
    """A join the topic's rule refused: probing for others' topics shows in the log."""
    user = scope.get("user")
    who = user.pk if user is not None and user.is_authenticated else "anonymous"
    logger.warning("refused %r to user %s: not allowed", topic[:100], who)
