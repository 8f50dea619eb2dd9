"""Topic names and who may join them.

A topic is a dotted name ("records.users", "chat.conversation.7"). Apps register
a pattern and a join rule; the socket asks `authorize_join` before subscribing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Channel-layer group names allow letters, digits, ".", "-" and "_" under 100
# characters; topics keep inside that so each maps to one group as it is.
_TOPIC_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,89}$")

JoinRule = Callable[[Any, re.Match[str]], bool]


class TopicError(ValueError):
    """A topic name that is malformed or not registered."""


@dataclass(frozen=True)
class TopicRule:
    """A family of topics and the rule deciding who may join one."""

    pattern: re.Pattern[str]
    may_join: JoinRule
    doc: str


_RULES: list[TopicRule] = []


def check_topic_name(name: str) -> None:
    """Raise TopicError unless the name is a well-formed topic name."""
    if not isinstance(name, str) or not _TOPIC_NAME.match(name):
        raise TopicError(f"malformed topic name {name!r}")


def register_topic(pattern: str, *, may_join: JoinRule, doc: str = "") -> None:
    """Register a family of topics by a regular expression matched against the whole name."""
    _RULES.append(TopicRule(re.compile(f"^{pattern}$"), may_join, doc))


def resolve_topic(name: str) -> tuple[TopicRule, re.Match[str]]:
    """The rule and match for a topic name, or TopicError if none is registered."""
    check_topic_name(name)
    for rule in _RULES:
        match = rule.pattern.match(name)
        if match:
            return rule, match
    raise TopicError(f"unknown topic {name!r}")


def authorize_join(user: Any, name: str) -> bool:
    """Whether the user may subscribe to the topic; raises TopicError for a bad name."""
    rule, match = resolve_topic(name)
    return bool(rule.may_join(user, match))


def group_name(topic: str) -> str:
    """The channel-layer group that carries a topic between processes."""
    return f"tw.{topic}"
