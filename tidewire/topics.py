"""Topic names and who may join them.

A topic is a dotted name ("records.users", "chat.conversation.7"). Apps register
a pattern and a join rule; the socket asks `authorize_join` before subscribing.

A join rule is `rule(user, match) -> bool`, written as a plain function or as
`async def`. A plain one runs off the event loop (through
`database_sync_to_async`), so it may query the database ("is this user a
participant?"); an async one is awaited. Only `True` admits: a rule that returns
anything else (None, 1, a coroutine by mistake) refuses, and one that raises
refuses with `JoinRuleFailed`, logged with its traceback.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction
from channels.db import database_sync_to_async

logger = logging.getLogger(__name__)

# Channel-layer group names allow letters, digits, ".", "-" and "_" under 100
# characters; topics keep inside that so each maps to one group as it is.
TOPIC_NAME_MAX_LENGTH = 90
_TOPIC_NAME = re.compile(rf"^[a-z0-9][a-z0-9._-]{{0,{TOPIC_NAME_MAX_LENGTH - 1}}}$")

JoinRule = Callable[[Any, re.Match[str]], bool | Awaitable[bool]]


@dataclass(frozen=True)
class TopicFrame:
    """A frame a client sent about a topic it follows, as a topic's `handle_in` gets it."""

    socket: Any  # the TopicsConsumer: send_frame, scope
    user: Any
    topic: str
    match: re.Match[str]
    frame: dict[str, Any]


class FrameRefused(Exception):
    """Raised by `handle_in` to answer a frame with an error frame (the socket stays open)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# `async def handle_in(request: TopicFrame) -> dict | None`: the reply (sent with the
# frame's `ref`, and its `topic` on the multiplexed socket) or None for no reply.
FrameHandler = Callable[[TopicFrame], Awaitable[dict[str, Any] | None]]
# `async def on_leave(user, topic, match)`: a socket of `user` stopped following the
# topic (any way: unsubscribe, close, crash); runs in the background.
LeaveHandler = Callable[[Any, str, re.Match[str]], Awaitable[None]]


class TopicError(ValueError):
    """A topic name that is malformed or not registered."""


class JoinRuleFailed(Exception):
    """A topic's join rule raised instead of answering; the join is refused."""


@dataclass(frozen=True)
class TopicRule:
    """A family of topics: who may join one, whether presence is kept, and its own frames."""

    pattern: re.Pattern[str]
    may_join: JoinRule
    doc: str
    presence: bool
    handle_in: FrameHandler | None = None
    on_leave: LeaveHandler | None = None


_RULES: list[TopicRule] = []


def check_topic_name(name: str) -> None:
    """Raise TopicError unless the name is a well-formed topic name."""
    if not isinstance(name, str) or not _TOPIC_NAME.match(name):
        shown = name if not isinstance(name, str) or len(name) <= 100 else name[:100] + "…"
        raise TopicError(f"malformed topic name {shown!r}")


def register_topic(
    pattern: str,
    *,
    may_join: JoinRule,
    doc: str = "",
    presence: bool = False,
    handle_in: FrameHandler | None = None,
    on_leave: LeaveHandler | None = None,
) -> TopicRule:
    """Register a family of topics by a regular expression matched against the whole name.

    With `presence=True`, subscribers of the topic are told who else follows it
    (tidewire/presence.py). `handle_in` takes the frames a follower sends about the
    topic (a chat message, typing), as Phoenix Channels' `handle_in`: only sockets
    that joined the topic reach it, so it needs no second authorization check.
    `on_leave` runs when a socket stops following the topic.
    """
    for name, handler in (("handle_in", handle_in), ("on_leave", on_leave)):
        if handler is not None and not iscoroutinefunction(handler):
            raise TypeError(f"{name} for {pattern!r} must be an async def")
    rule = TopicRule(re.compile(f"^{pattern}$"), may_join, doc, presence, handle_in, on_leave)
    _RULES.append(rule)
    return rule


def resolve_topic(name: str) -> tuple[TopicRule, re.Match[str]]:
    """The rule and match for a topic name, or TopicError if none is registered."""
    check_topic_name(name)
    for rule in _RULES:
        match = rule.pattern.match(name)
        if match:
            return rule, match
    raise TopicError(f"unknown topic {name!r}")


async def authorize_join(user: Any, name: str) -> bool:
    """Whether the user may subscribe to the topic.

    Raises TopicError for a bad name and JoinRuleFailed when the rule raised.
    """
    rule, match = resolve_topic(name)
    try:
        if iscoroutinefunction(rule.may_join):
            verdict = await rule.may_join(user, match)
        else:
            verdict = await database_sync_to_async(rule.may_join)(user, match)
    except Exception as error:
        logger.exception("join rule for %r failed", name)
        raise JoinRuleFailed(f"could not check who may join {name!r}") from error
    if inspect.isawaitable(verdict):  # a plain function that returned a coroutine
        logger.error("join rule for %r returned an awaitable: declare it async def", name)
        if inspect.iscoroutine(verdict):
            verdict.close()
        return False
    return verdict is True


def group_name(topic: str) -> str:
    """The channel-layer group that carries a topic between processes."""
    return f"tw.{topic}"
