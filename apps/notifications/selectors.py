"""Reads of notifications and preferences."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .kinds import get_kind
from .models import Notification, NotificationPreference


def unread_count(*, recipient_id: int) -> int:
    """Notifications neither read nor archived."""
    return unread_counts(recipient_ids={recipient_id})[recipient_id]


def unread_counts(*, recipient_ids: set[int]) -> dict[int, int]:
    """`unread_count` of each recipient, in one query."""
    rows = (
        Notification.objects.filter(
            recipient_id__in=recipient_ids, read_at__isnull=True, archived_at__isnull=True
        )
        .values_list("recipient_id")
        .annotate(unread=Count("id"))
        .order_by()
    )
    return {recipient_id: 0 for recipient_id in recipient_ids} | dict(rows)


def notification_feed(
    *,
    recipient_id: int,
    kind: str | None = None,
    unread_only: bool = False,
    archived: bool = False,
) -> QuerySet[Notification]:
    """The user's notifications, newest first (archived ones only when asked for)."""
    feed = Notification.objects.filter(recipient_id=recipient_id, archived_at__isnull=not archived)
    if kind:
        feed = feed.filter(kind=kind)
    if unread_only:
        feed = feed.filter(read_at__isnull=True)
    return feed.order_by("-id")


def preference_enabled(*, user_id: int, kind: str, channel: str) -> bool:
    """Whether `kind` reaches the user on `channel` (essential kinds always do)."""
    spec = get_kind(kind)
    choice = None
    if channel in spec.channels and not spec.essential:  # else the choice does not count
        choice = (
            NotificationPreference.objects.filter(user_id=user_id, kind=kind, channel=channel)
            .values_list("enabled", flat=True)
            .first()
        )
    return preference_applies(kind=kind, channel=channel, choice=choice)


def preferences_of(
    *, user_ids: set[int], kinds: set[str], channel: str
) -> dict[tuple[int, str], bool]:
    """The explicit choices of these users for these kinds on `channel`, by (user, kind)."""
    rows = NotificationPreference.objects.filter(
        user_id__in=user_ids, kind__in=kinds, channel=channel
    ).values_list("user_id", "kind", "enabled")
    return {(user_id, kind): enabled for user_id, kind, enabled in rows}


def preference_applies(*, kind: str, channel: str, choice: bool | None) -> bool:
    """Whether `kind` reaches a user on `channel` given their choice (None: never made)."""
    spec = get_kind(kind)
    if channel not in spec.channels:
        return False
    if spec.essential:
        return True
    return True if choice is None else choice


def preferences(*, user_id: int) -> dict[tuple[str, str], bool]:
    """The user's explicit choices by (kind, channel)."""
    rows = NotificationPreference.objects.filter(user_id=user_id)
    return {(row.kind, row.channel): row.enabled for row in rows}
