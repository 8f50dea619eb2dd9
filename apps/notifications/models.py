"""Notifications: one per recipient and fact, and each user's choices of where they go."""

from django.conf import settings
from django.db import models

MESSAGE_MAX_LENGTH = 500
LINK_MAX_LENGTH = 500
DEDUPE_KEY_MAX_LENGTH = 200


class Notification(models.Model):
    """Something a user should know of (a chat message, a reservation), in their bell.

    `dedupe_key` names the fact ("chat.message:41", "reservation:42:confirmed"): a
    recipient gets at most one notification per key, however often a job runs.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=50)
    message = models.CharField(max_length=MESSAGE_MAX_LENGTH)
    link = models.CharField(max_length=LINK_MAX_LENGTH, blank=True)
    # The object it is about, as "<app>.<model>" and its id (read with it, e.g. a message).
    subject_type = models.CharField(max_length=50, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=DEDUPE_KEY_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_feed"),
            models.Index(
                fields=["recipient", "id"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True, archived_at__isnull=True),
            ),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="one_notification_per_fact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.recipient_id}: {self.message[:40]}"

    @property
    def read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    IN_APP = "in_app"
    EMAIL = "email"


class NotificationPreference(models.Model):
    """A user's choice for one kind on one channel; no row means the kind's default (on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=50)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="one_choice_per_channel"
            )
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.kind} by {self.channel} for user {self.user_id}: {state}"
