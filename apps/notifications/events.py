"""Events of the notification center, on each user's own topic.

Every event carries the user's unread count as the server has it after the
change, so every tab shows the server's number, not a sum of its own guesses.
"""

from __future__ import annotations

from typing import Any

from tidewire.events import declare, iso_timestamp

from .models import Notification

NOTIFICATION_SNAPSHOT = {
    "id": int,
    "kind": str,
    "message": str,
    "link": str,
    "created_at": str,
    "read": bool,
    "archived": bool,
}

NOTIFICATION = declare(
    "notification",
    doc="A new notification for the user.",
    notification=NOTIFICATION_SNAPSHOT,
    unread_count=int,
)

NOTIFICATIONS_READ = declare(
    "notifications_read",
    doc="Notifications were marked read (these ids, in any tab or by the app they are about).",
    ids=list,
    unread_count=int,
)

NOTIFICATION_ARCHIVED = declare(
    "notification_archived",
    doc="A notification was archived (out of the bell and of the unread count).",
    id=int,
    unread_count=int,
)


def notification_snapshot(notification: Notification) -> dict[str, Any]:
    """A notification as REST and the events show it."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "message": notification.message,
        "link": notification.link,
        "created_at": iso_timestamp(notification.created_at),
        "read": notification.read_at is not None,
        "archived": notification.archived_at is not None,
    }
