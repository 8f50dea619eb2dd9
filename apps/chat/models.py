"""Conversations between a listing's buyer and its seller, their messages and read markers."""

from django.conf import settings
from django.db import models

from tidewire.text import TextValidator

BODY_MAX_LENGTH = 5000
CLIENT_ID_MAX_LENGTH = 64


class Conversation(models.Model):
    """The one conversation of a listing and a buyer (the listing's seller is the other side)."""

    listing = models.ForeignKey(
        "listings.Listing", on_delete=models.CASCADE, related_name="conversations"
    )
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The newest message's time (the creation time until there is one): the list's order.
    last_activity_at = models.DateTimeField(db_index=True)
    last_message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "buyer"], name="one_conversation_per_buyer"),
            models.CheckConstraint(
                condition=~models.Q(buyer=models.F("seller")), name="buyer_is_not_seller"
            ),
        ]

    def __str__(self) -> str:
        return f"conversation {self.pk} about listing {self.listing_id}"

    def other(self, user_id: int) -> int:
        """The id of the participant who is not `user_id`."""
        return self.seller_id if user_id == self.buyer_id else self.buyer_id


class Participant(models.Model):
    """One side of a conversation, with how far its messages reached and were read.

    Markers are message ids and only move forward: a message from the other side
    with an id up to `delivered_up_to` reached one of this user's devices, up to
    `read_up_to` was seen (read implies delivered), up to `emailed_up_to` was in a
    missed-message email to this user, the last one sent at `emailed_at`
    (apps/chat/emails.py).
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations"
    )
    delivered_up_to = models.BigIntegerField(default=0)
    read_up_to = models.BigIntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    emailed_up_to = models.BigIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Archived by this user: out of their list until a new message brings it back.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="one_participant_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(read_up_to__lte=models.F("delivered_up_to")),
                name="read_implies_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} in conversation {self.conversation_id}"


class Message(models.Model):
    """A message; (sender, client_id) is unique, so a retried send is stored once, forever.

    A `system` line ("Reserved for another buyer", "Price lowered to €80") has no
    sender: the marketplace wrote it (apps/chat/system_lines.py).

    Its sender may edit it for a while (`edited_at`) or delete it for everyone:
    a deleted message stays as a tombstone (`deleted_at`, body cleared), so ids,
    stream offsets, read markers and unread counts stay as they were.
    """

    class Kind(models.TextChoices):
        TEXT = "text"
        SYSTEM = "system"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_messages",
    )
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(max_length=BODY_MAX_LENGTH, validators=[TextValidator(multiline=True)])
    client_id = models.CharField(max_length=CLIENT_ID_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["conversation", "-id"], name="chat_message_history")]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "client_id"], name="one_message_per_client_id"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="text", sender__isnull=False)
                | models.Q(kind="system", sender__isnull=True),
                name="system_lines_have_no_sender",
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} in conversation {self.conversation_id}"


class MessageImage(models.Model):
    """A photo of a message (apps/chat/photos.py): stored names, never a public URL."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()  # order as uploaded, from 0
    name = models.CharField(max_length=255)  # in default_storage
    thumbnail_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["message_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["message", "position"], name="one_image_per_position")
        ]

    def __str__(self) -> str:
        return f"image {self.position} of message {self.message_id}"
