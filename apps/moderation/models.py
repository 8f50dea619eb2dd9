"""Blocks between people, and reports of chat messages waiting for a moderator."""

from django.conf import settings
from django.db import models

REASON_MAX_LENGTH = 1000


class Block(models.Model):
    """`blocker` blocked `blocked`: no new messages or offers either way while it lasts."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="no_blocking_oneself"
            ),
        ]
        # blocked_between looks a pair up both ways round.
        indexes = [models.Index(fields=["blocked", "blocker"], name="block_reverse")]

    def __str__(self) -> str:
        return f"user {self.blocker_id} blocked user {self.blocked_id}"


class Report(models.Model):
    """A participant reported a message; super admins work through the open ones in admin."""

    class Status(models.TextChoices):
        OPEN = "open"
        RESOLVED = "resolved"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    message = models.ForeignKey("chat.Message", on_delete=models.CASCADE, related_name="reports")
    # The text as reported: the sender may edit or delete the message afterwards.
    body_reported = models.TextField(blank=True)
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["reporter", "message"], name="one_report_per_message")
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="report_queue")]

    def __str__(self) -> str:
        return f"report {self.pk} of message {self.message_id}"
