"""Streams: every event gets the next offset of its topic, in the writer's transaction.

An offset grows by one within a topic and never repeats, so a reader that knows
the last offset it saw can ask for exactly what came after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from .models import Event, Stream

# One statement takes the topic's row lock and the next offset together, so two
# writers of the same topic serialize on that row and never share an offset.
# SQLite (3.35+) and PostgreSQL both speak this dialect.
_NEXT_OFFSET_SQL = (
    f"INSERT INTO {Stream._meta.db_table} (topic, last_offset) VALUES (%s, 1) "
    f"ON CONFLICT (topic) DO UPDATE SET last_offset = {Stream._meta.db_table}.last_offset + 1 "
    "RETURNING last_offset"
)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as written: where it sits in its stream and its encoded body."""

    topic: str
    offset: int
    type: str
    body: str


def stream_append(*, topic: str, event_type: str, body: str) -> StoredEvent:
    """Write one event at the topic's next offset; call inside the writer's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_OFFSET_SQL, [topic])
        (offset,) = cursor.fetchone()
    Event.objects.create(topic=topic, offset=offset, type=event_type, body=body)
    return StoredEvent(topic=topic, offset=offset, type=event_type, body=body)


def stream_append_many(items: list[tuple[str, str, str]]) -> list[StoredEvent]:
    """Write several events (topic, type, body) in two statements; in the writer's transaction.

    Each topic's counter moves by its number of events in one upsert (rows taken
    in topic order, so two writers of the same topics cannot deadlock); the
    events get consecutive offsets in the order given.
    """
    counts: dict[str, int] = {}
    for topic, _, _ in items:
        counts[topic] = counts.get(topic, 0) + 1
    topics = sorted(counts)
    table = Stream._meta.db_table
    values = ", ".join(["(%s, %s)"] * len(topics))
    sql = (
        f"INSERT INTO {table} (topic, last_offset) VALUES {values} "
        f"ON CONFLICT (topic) DO UPDATE SET last_offset = {table}.last_offset + "
        "excluded.last_offset RETURNING topic, last_offset"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [part for topic in topics for part in (topic, counts[topic])])
        last = dict(cursor.fetchall())
    next_offset = {topic: last[topic] - counts[topic] + 1 for topic in topics}
    stored = []
    for topic, event_type, body in items:
        stored.append(
            StoredEvent(topic=topic, offset=next_offset[topic], type=event_type, body=body)
        )
        next_offset[topic] += 1
    Event.objects.bulk_create(
        [Event(topic=e.topic, offset=e.offset, type=e.type, body=e.body) for e in stored]
    )
    return stored


def stream_offset(*, topic: str) -> int:
    """The offset of the topic's newest event, 0 when it has none."""
    last = Stream.objects.filter(topic=topic).values_list("last_offset", flat=True).first()
    return last or 0


def stream_read(*, topic: str, after: int, limit: int = 1000) -> list[StoredEvent]:
    """Events of the topic with offsets above `after`, oldest first."""
    rows = (
        Event.objects.filter(topic=topic, offset__gt=after)
        .order_by("offset")
        .values_list("offset", "type", "body")[:limit]
    )
    return [StoredEvent(topic=topic, offset=o, type=t, body=b) for o, t, b in rows]


def stream_offsets(*, topics: list[str]) -> dict[str, int]:
    """The newest offset of each topic (topics with no event are left out)."""
    return dict(Stream.objects.filter(topic__in=topics).values_list("topic", "last_offset"))


def stream_trim(*, older_than_seconds: float) -> int:
    """Delete events older than the retention; returns how many went.

    A client whose offset falls before what is kept gets a reset and reloads; the
    topics' counters stay, so offsets never repeat.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
    return deleted
