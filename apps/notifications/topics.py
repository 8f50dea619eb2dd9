"""Each user's notification topic: only that user may follow it."""

from tidewire.topics import register_topic


def notifications_topic(user_id: int) -> str:
    return f"notifications.user.{user_id}"


register_topic(
    r"notifications\.user\.(\d+)",
    may_join=lambda user, match: user.is_authenticated and str(user.pk) == match[1],
    doc="One user's notifications (notification, notifications_read, notification_archived).",
)
