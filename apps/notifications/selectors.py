"""Reads of notifications and preferences."""

from __future__ import annotations

from django.db.models import QuerySet

from .kinds import get_kind
from .models import Notification, NotificationPreference


def unread_count(*, recipient_id: int) -> int:
    """Notifications neither read nor archived."""
    return Notification.objects.filter(
        recipient_id=recipient_id, read_at__isnull=True, archived_at__isnull=True
    ).count()


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
    if channel not in spec.channels:
        return False
    if spec.essential:
        return True
    choice = (
        NotificationPreference.objects.filter(user_id=user_id, kind=kind, channel=channel)
        .values_list("enabled", flat=True)
        .first()
    )
    return True if choice is None else choice


def preferences(*, user_id: int) -> dict[tuple[str, str], bool]:
    """The user's explicit choices by (kind, channel)."""
    rows = NotificationPreference.objects.filter(user_id=user_id)
    return {(row.kind, row.channel): row.enabled for row in rows}
