"""The one way to emit an event: stored with the change, sent after commit."""

from __future__ import annotations

import functools
from typing import Any

import orjson
from django.db import transaction

from . import fanout
from .events import EventType
from .faults import AFTER_COMMIT_BEFORE_PUBLISH, crash_point
from .streams import StoredEvent, stream_append
from .topics import check_topic_name


def publish(*, topic: str, event: EventType, **fields: Any) -> StoredEvent:
    """Record an event in the current transaction and broadcast it once that commits.

    Called by services inside their own `transaction.atomic()`: if the change
    rolls back, so does the event, and nothing is sent.
    """
    check_topic_name(topic)
    body = orjson.dumps(event.body(**fields)).decode()
    with transaction.atomic():
        stored = stream_append(topic=topic, event_type=event.name, body=body)
        # robust: a broadcast failure must not turn a committed write into a 500 (the
        # event is stored; the followers' resync delivers it).
        transaction.on_commit(functools.partial(_after_commit, stored), robust=True)
    return stored


def _after_commit(stored: StoredEvent) -> None:
    crash_point(AFTER_COMMIT_BEFORE_PUBLISH)
    fanout.broadcast(stored)
