"""The one way to emit an event (stored with the change, sent after commit) or a signal.

An *event* is durable: `publish` stores it at the next offset of its topic in
the writer's transaction and broadcasts it once that commits. It must be called
inside the service's `transaction.atomic()`: outside one, the change could
commit and the event be lost (or the reverse), so it raises instead.

A *signal* is ephemeral (typing, "viewing this record"): `signal` sends it now to
whoever follows the topic, in every process; it is never stored, has no offset,
and a client that was away does not get it on resume.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any

import orjson
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from . import fanout
from .events import EventType
from .faults import AFTER_COMMIT_BEFORE_PUBLISH, crash_point
from .streams import StoredEvent, stream_append, stream_append_many
from .topics import check_topic_name


class OutsideTransaction(RuntimeError):
    """`publish` was called outside the writer's `transaction.atomic()`."""


class SavepointInsideTogether(RuntimeError):
    """An event was published inside a savepoint opened within `together`.

    The savepoint could roll back alone while the events collected before it, or
    its own, are written outside it: one would be lost or one kept wrongly.
    """


def in_writer_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether code runs inside a `transaction.atomic()` of its own.

    A test case's wrapping transaction does not count: in production there is
    none, so a service that forgot its own would lose events there.
    """
    connection = connections[using]
    return any(not block._from_testcase for block in connection.atomic_blocks)


def publish(*, topic: str, event: EventType, **fields: Any) -> StoredEvent:
    """Record an event in the current transaction and broadcast it once that commits.

    Raises OutsideTransaction unless called inside the writer's
    `transaction.atomic()`: if the change rolls back, so does the event, and
    nothing is sent.
    """
    if not in_writer_transaction():
        raise OutsideTransaction(
            f"publish({event.name!r}) must run inside the writing service's transaction.atomic()"
        )
    check_topic_name(topic)
    body = orjson.dumps(event.body(**fields)).decode()
    if getattr(_collecting, "items", None) is not None:
        _check_no_savepoint([event.name])
        _write_collected()  # what came before goes first, in order
    stored = stream_append(topic=topic, event_type=event.name, body=body)
    # robust: a broadcast failure must not turn a committed write into a 500 (the
    # event is stored; the followers' resync delivers it).
    transaction.on_commit(functools.partial(_after_commit, [stored]), robust=True)
    return stored


def publish_all(events: list[tuple[str, EventType, dict[str, Any]]]) -> None:
    """`publish` for several events of one change, (topic, event type, fields) each.

    Stored with two statements whatever their number (`publish` takes two per
    event), broadcast after commit in the order given, in one send to the channel
    layer (one Redis round trip). The same rules: inside the
    writer's `transaction.atomic()`, or OutsideTransaction. Inside `together`,
    they join the block's events, written at its end.
    """
    if not in_writer_transaction():
        names = ", ".join(repr(event.name) for _, event, _ in events)
        raise OutsideTransaction(
            f"publish_all({names}) must run inside the writing service's transaction.atomic()"
        )
    items = []
    for topic, event, fields in events:
        check_topic_name(topic)
        items.append((topic, event.name, orjson.dumps(event.body(**fields)).decode()))
    collected = getattr(_collecting, "items", None)
    if collected is None:
        _write(items)
    else:
        _check_no_savepoint([event.name for _, event, _ in events])
        collected.extend(items)


# The events `publish_all` collects inside `together` on this thread (a transaction
# is its thread's), and the connection's savepoint_ids depth when it began; None outside.
_collecting = threading.local()


@contextlib.contextmanager
def together() -> Iterator[None]:
    """Write every event published inside the block at its end: two statements, one send.

    For a change made of other services' writes, each publishing its own events
    (a batch of chat messages: the rooms' messages and the inboxes' rows, then
    the recipients' notifications): without it each `publish_all` costs its two
    statements and its own broadcast. Inside the writer's `transaction.atomic()`;
    the events keep the order they were published in, and if the block raises,
    none is written. A `publish` inside it writes what was collected first, then
    its own event, so its offset is known at once. Blocks nest (the outer one
    writes). Publishing inside a savepoint opened within the block (an inner
    `atomic()` that could roll back alone) raises SavepointInsideTogether: use
    `atomic(savepoint=False)` there, or publish outside the block.
    """
    if not in_writer_transaction():
        raise OutsideTransaction("together() must run inside the writing service's transaction")
    if getattr(_collecting, "items", None) is not None:
        yield
        return
    _collecting.items = []
    _collecting.depth = len(connections[DEFAULT_DB_ALIAS].savepoint_ids)
    try:
        yield
        _write_collected()
    finally:
        _collecting.items = None


def _check_no_savepoint(event_names: list[str]) -> None:
    """Raise SavepointInsideTogether if an atomic block opened inside `together` made a
    savepoint (blocks with savepoint=False are part of the change: they are fine)."""
    opened = connections[DEFAULT_DB_ALIAS].savepoint_ids[_collecting.depth :]
    if any(savepoint is not None for savepoint in opened):
        names = ", ".join(repr(name) for name in event_names)
        raise SavepointInsideTogether(
            f"{names} published inside a savepoint within together(): "
            "use transaction.atomic(savepoint=False) there, or publish outside the block"
        )


def _write_collected() -> None:
    collected = getattr(_collecting, "items", None)
    if collected:
        _collecting.items = []
        _write(collected)


def _write(items: list[tuple[str, str, str]]) -> None:
    stored = stream_append_many(items)
    transaction.on_commit(functools.partial(_after_commit, stored), robust=True)


def _after_commit(stored: list[StoredEvent]) -> None:
    crash_point(AFTER_COMMIT_BEFORE_PUBLISH)
    fanout.broadcast(stored)


def _signal_body(topic: str, event: EventType, fields: dict[str, Any]) -> str:
    check_topic_name(topic)
    return orjson.dumps(event.body(**fields)).decode()


def signal(*, topic: str, event: EventType, **fields: Any) -> None:
    """Send an ephemeral event from sync code, now; returns without waiting for delivery."""
    body = _signal_body(topic, event, fields)
    fanout.run_from_any_thread(
        lambda: fanout.asignal(topic=topic, event_type=event.name, body=body)
    )


async def asignal(*, topic: str, event: EventType, **fields: Any) -> None:
    """Send an ephemeral event from async code (a consumer), to every process following it."""
    body = _signal_body(topic, event, fields)
    await fanout.asignal(topic=topic, event_type=event.name, body=body)
