"""Emails waiting to be sent, as rows (a restart loses none), and development's mailbox."""

from django.conf import settings
from django.db import models

KEY_MAX_LENGTH = 200


class OutgoingEmail(models.Model):
    """One email to a user (or to a plain address), due at `due_at`, written by its renderer
    only when it is sent.

    The row holds what to write about (`renderer` and `context`: names and ids),
    never the text: the email says what is true when it goes out. `key` names
    the fact, so scheduling it twice makes one row. Rows of one `batch` collect
    facts for one email: at most one of them is pending at a time.

    It goes to `recipient`, a user (their address at send time, their preferences,
    an unsubscribe link), or to `to_address`, someone who is no user (a customer's
    booking confirmation: essential kinds only); exactly one of the two is set.
    """

    class Status(models.TextChoices):
        PENDING = "pending"  # waits for due_at
        SENDING = "sending"  # claimed by a run of the send job (or left by one that died)
        SENT = "sent"
        CANCELLED = "cancelled"  # nothing left to say: read meanwhile, turned off, no address
        FAILED = "failed"  # refused or interrupted too often; on SQLite, interrupted mid-send

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="outgoing_emails",
        null=True,
        blank=True,
    )
    to_address = models.EmailField(blank=True)
    kind = models.CharField(max_length=50)  # a notification kind: preferences, unsubscribe
    renderer = models.CharField(max_length=100)  # apps/mailing/renderers.py
    context = models.JSONField(default=dict, blank=True)
    key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True)
    batch = models.CharField(max_length=KEY_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # sends tried
    last_error = models.TextField(blank=True)  # or why it was cancelled
    subject = models.CharField(max_length=255, blank=True)  # as sent

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["due_at"], name="email_due", condition=models.Q(status="pending")),
            # Rows a run is sending, or left when it died (apps/mailing/services.py).
            models.Index(fields=["id"], name="email_sending", condition=models.Q(status="sending")),
            models.Index(fields=["recipient", "-id"], name="email_recipient"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["batch"],
                name="one_pending_email_per_batch",
                condition=models.Q(status="pending") & ~models.Q(batch=""),
            ),
            models.CheckConstraint(
                condition=(models.Q(recipient__isnull=False) & models.Q(to_address=""))
                | (models.Q(recipient__isnull=True) & ~models.Q(to_address="")),
                name="email_to_a_user_or_an_address",
            ),
        ]

    def __str__(self) -> str:
        to = f"user {self.recipient_id}" if self.recipient_id else self.to_address
        return f"{self.kind} email to {to} ({self.status})"

    @property
    def address(self) -> str:
        """Where it goes: the user's address as it is now, or the plain address."""
        return self.recipient.email if self.recipient_id else self.to_address


class MailboxMessage(models.Model):
    """A sent email kept for developers (MailboxBackend, shown at /dev/mail/ in development)."""

    sent_at = models.DateTimeField(auto_now_add=True)
    from_email = models.CharField(max_length=320)
    to = models.TextField()  # comma-separated
    subject = models.CharField(max_length=998)  # RFC 5322's line limit
    headers = models.JSONField(default=dict)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "development mailbox message"

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"
