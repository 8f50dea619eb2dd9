"""The one way to notify someone, and every change to a notification, each announced.

Every app notifies through `notify` with a dedupe key naming the fact, so a
fact notifies its recipient once, however often a job or a retry runs it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tidewire.publish import publish, publish_all
from tidewire.text import InvalidText, clean_text

from . import selectors
from .events import NOTIFICATION, NOTIFICATION_ARCHIVED, NOTIFICATIONS_READ, notification_snapshot
from .kinds import get_kind
from .models import (
    DEDUPE_KEY_MAX_LENGTH,
    LINK_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    Channel,
    Notification,
    NotificationPreference,
)
from .topics import notifications_topic


class EssentialKind(ValueError):
    """A preference tried to turn off a kind that always goes out."""


def _shorten(text: str, limit: int) -> str:
    text = " ".join(clean_text(text, multiline=True).split())  # one line, as a bell shows it
    return text if len(text) <= limit else text[: limit - 1] + "…"


def notify(
    *,
    recipient_id: int,
    kind: str,
    message: str,
    dedupe_key: str,
    link: str = "",
    subject: tuple[str, int] | None = None,
) -> Notification | None:
    """Notify a user of a fact, once per `dedupe_key`; None if already notified or turned off.

    May run inside the caller's transaction (the notification is then part of
    its change) or alone. `message` is cut to one line of at most 500 characters.
    """
    [notification] = notify_many(
        [
            {
                "recipient_id": recipient_id,
                "kind": kind,
                "message": message,
                "dedupe_key": dedupe_key,
                "link": link,
                "subject": subject,
            }
        ]
    )
    return notification


def notify_many(facts: list[dict[str, Any]]) -> list[Notification | None]:
    """`notify` of several facts (its arguments as a dict each), one statement per step.

    For a batch of chat messages: the recipients' preferences in one query, the
    notifications in one insert, their unread counts in one query, the events
    in one write. Each fact is checked before anything is written (ValueError,
    UnknownKind); the result is `notify`'s for each, in order.
    """
    notifications = [_notification(**fact) for fact in facts]
    wanted = [n for n, on in zip(notifications, _enabled(notifications), strict=True) if on]
    results: list[Notification | None] = [None] * len(notifications)
    # No savepoint: inside a caller's transaction (a chat message) this is part of
    # its change, and the insert cannot fail on the dedupe key (ON CONFLICT).
    with transaction.atomic(savepoint=False):
        inserted = _insert_new(wanted)
        if not inserted:
            return results
        unread = selectors.unread_counts(recipient_ids={n.recipient_id for n in inserted})
        publish_all(
            [
                (
                    notifications_topic(n.recipient_id),
                    NOTIFICATION,
                    {
                        "notification": notification_snapshot(n),
                        "unread_count": unread[n.recipient_id],
                    },
                )
                for n in inserted
            ]
        )
    for index, notification in enumerate(notifications):
        if notification.pk is not None:
            results[index] = notification
    return results


def _notification(
    *,
    recipient_id: int,
    kind: str,
    message: str,
    dedupe_key: str,
    link: str = "",
    subject: tuple[str, int] | None = None,
) -> Notification:
    """The notification to insert, its fields checked (ValueError, UnknownKind)."""
    get_kind(kind)  # UnknownKind for a typo, before anything is written
    if not dedupe_key or len(dedupe_key) > DEDUPE_KEY_MAX_LENGTH:
        raise ValueError(f"dedupe_key must be 1 to {DEDUPE_KEY_MAX_LENGTH} characters")
    if len(link) > LINK_MAX_LENGTH or not (link == "" or link.startswith("/")):
        raise ValueError("link must be a path on this site (starting with /)")
    try:
        message = _shorten(message, MESSAGE_MAX_LENGTH)
    except InvalidText as error:
        raise ValueError(f"message {error}") from None
    subject_type, subject_id = subject if subject is not None else ("", None)
    return Notification(
        recipient_id=recipient_id,
        kind=kind,
        message=message,
        link=link,
        subject_type=subject_type,
        subject_id=subject_id,
        dedupe_key=dedupe_key,
        created_at=timezone.now(),
    )


def _enabled(notifications: list[Notification]) -> list[bool]:
    """Whether each notification's kind reaches its recipient in the app (one query)."""
    choices = selectors.preferences_of(
        user_ids={n.recipient_id for n in notifications},
        kinds={n.kind for n in notifications},
        channel=Channel.IN_APP,
    )
    return [
        selectors.preference_applies(
            kind=n.kind, channel=Channel.IN_APP, choice=choices.get((n.recipient_id, n.kind))
        )
        for n in notifications
    ]


_INSERT_FIELDS = (
    "recipient",
    "kind",
    "message",
    "link",
    "subject_type",
    "subject_id",
    "dedupe_key",
    "created_at",
)


def _insert_new(notifications: list[Notification]) -> list[Notification]:
    """Insert those the recipient has no notification with the same dedupe key for; sets
    their pks and returns them.

    One statement (`ON CONFLICT DO NOTHING`, PostgreSQL and SQLite alike) instead of
    a savepoint around an insert that may raise.
    """
    if not notifications:
        return []
    table = Notification._meta.db_table
    fields = [Notification._meta.get_field(name) for name in _INSERT_FIELDS]
    values = [
        field.get_db_prep_save(getattr(notification, field.attname), connection)
        for notification in notifications
        for field in fields
    ]
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {table} ({', '.join(field.column for field in fields)}) "
        f"VALUES {', '.join([row] * len(notifications))} "
        "ON CONFLICT (recipient_id, dedupe_key) DO NOTHING RETURNING id, recipient_id, dedupe_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = {(recipient, key): pk for pk, recipient, key in cursor.fetchall()}
    inserted = []
    for notification in notifications:  # RETURNING's order is not the VALUES' order
        pk = ids.pop((notification.recipient_id, notification.dedupe_key), None)
        if pk is not None:
            notification.pk = pk
            inserted.append(notification)
    return inserted


def _mark_read(recipient_id: int, unread: QuerySet[Notification]) -> list[int]:
    """Mark these notifications read and announce it (inside the caller's atomic)."""
    unread = unread.filter(read_at__isnull=True).order_by("id").select_for_update()
    ids = list(unread.values_list("id", flat=True))
    if not ids:
        return []
    Notification.objects.filter(id__in=ids).update(read_at=timezone.now())
    publish(
        topic=notifications_topic(recipient_id),
        event=NOTIFICATIONS_READ,
        ids=ids,
        unread_count=selectors.unread_count(recipient_id=recipient_id),
    )
    return ids


def notifications_read(
    *, recipient_id: int, up_to: int | None = None, ids: list[int] | None = None
) -> list[int]:
    """Mark read everything up to id `up_to` (a watermark: later ones stay unread), or `ids`.

    Returns the ids that changed; ids of other users are ignored, not an error
    (nothing tells a caller that they exist).
    """
    if (up_to is None) == (ids is None):
        raise ValueError("give either up_to or ids")
    mine = Notification.objects.filter(recipient_id=recipient_id, archived_at__isnull=True)
    chosen = mine.filter(id__lte=up_to) if up_to is not None else mine.filter(id__in=ids)
    with transaction.atomic():
        return _mark_read(recipient_id, chosen)


def notifications_read_about(
    *, recipient_id: int, subject_type: str, subject_ids: Any
) -> list[int]:
    """Mark read the recipient's notifications about these objects (a chat message read)."""
    about = Notification.objects.filter(
        recipient_id=recipient_id, subject_type=subject_type, subject_id__in=subject_ids
    )
    with transaction.atomic():
        return _mark_read(recipient_id, about)


def notification_archive(*, recipient_id: int, notification_id: int) -> Notification:
    """Archive one (out of the bell and of the count); Notification.DoesNotExist for others'."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(
            pk=notification_id, recipient_id=recipient_id
        )
        if notification.archived_at is None:
            notification.archived_at = timezone.now()
            notification.save(update_fields=["archived_at"])
            publish(
                topic=notifications_topic(recipient_id),
                event=NOTIFICATION_ARCHIVED,
                id=notification.pk,
                unread_count=selectors.unread_count(recipient_id=recipient_id),
            )
    return notification


def preference_set(*, user_id: int, kind: str, channel: str, enabled: bool) -> None:
    """Turn a kind on or off on a channel; EssentialKind to turn off one that must go out.

    Raises UnknownKind, or ValueError for a channel the kind does not use.
    """
    spec = get_kind(kind)
    if channel not in spec.channels:
        raise ValueError(f"{kind!r} is not sent by {channel!r}")
    if spec.essential and not enabled:
        raise EssentialKind(f"{spec.label} notifications are essential and cannot be turned off.")
    NotificationPreference.objects.update_or_create(
        user_id=user_id, kind=kind, channel=channel, defaults={"enabled": enabled}
    )


def notifications_purge(*, older_than_days: float) -> int:
    """Delete read notifications older than the retention; returns how many went."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
