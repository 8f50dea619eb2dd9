"""Writes of the chat; each stores its events in the same transaction (HackSoft style).

Messages are idempotent: (sender, client_id) is unique in the database, so a
send retried after a timeout, a reconnect or a reload returns the message
already stored, however late the retry comes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from apps.listings.models import Listing
from apps.moderation.selectors import blocked_between, has_blocked
from apps.notifications.services import notifications_read_about, notify
from tidewire.publish import publish_all
from tidewire.text import InvalidText, clean_text

from . import emails, photos, selectors, topics
from .events import (
    CONVERSATION,
    MESSAGE,
    RECEIPT,
    SENT,
    conversation_summary,
    delivery_status,
    message_snapshot,
    receipt_body,
)
from .kinds import CHAT_MESSAGE
from .models import (
    BODY_MAX_LENGTH,
    CLIENT_ID_MAX_LENGTH,
    Conversation,
    Message,
    MessageImage,
    Participant,
)

# What a client may use as its message id: a UUID, a counter, a timestamp-random mix.
CLIENT_ID = re.compile(rf"^[A-Za-z0-9_.:-]{{1,{CLIENT_ID_MAX_LENGTH}}}$")

# Seed 003 notifies the recipient of every message (CHAT_MESSAGE); read with the message.
MESSAGE_SUBJECT = "chat.message"


class ChatError(ValueError):
    """A write refused for a reason the caller can show; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ClientIdReused(ChatError):
    """The sender already used this client_id for a different message."""


class Blocked(ChatError):
    """One participant blocked the other: nothing new passes between them (callers answer 403)."""


def check_not_blocked(conversation: Conversation, sender: Any) -> None:
    """Raise Blocked, naming whose block it is, if either participant blocked the other."""
    other_id = conversation.other(sender.pk)
    if not blocked_between(sender.pk, other_id):
        return
    if has_blocked(blocker=sender.pk, blocked=other_id):
        other = conversation.seller if other_id == conversation.seller_id else conversation.buyer
        raise Blocked("user", f"You blocked {other.get_username()}: unblock them to send messages.")
    raise Blocked("user", "You cannot send messages here: you were blocked.")


def clean_body(body: Any, *, optional: bool = False) -> str:
    """A message body as stored: NFC, trimmed, 1 to 5,000 characters (ChatError otherwise).

    `optional` (a message with photos) lets it be blank or missing: "".
    """
    if optional and body is None:
        return ""
    if not isinstance(body, str):
        raise ChatError("body", "body must be a string.")
    try:
        body = clean_text(body, multiline=True).strip()
    except InvalidText as error:
        raise ChatError("body", f"body {error}") from None
    if not body and not optional:
        raise ChatError("body", "body must not be blank.")
    if len(body) > BODY_MAX_LENGTH:
        raise ChatError(
            "body",
            f"body has {len(body)} characters; at most {BODY_MAX_LENGTH:,} are allowed.",
        )
    return body


def check_client_id(client_id: Any) -> str:
    """The client_id if well formed (ChatError naming `client_id` otherwise)."""
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise ChatError(
            "client_id",
            f"client_id must be 1 to {CLIENT_ID_MAX_LENGTH} letters, digits or _ . : -",
        )
    return client_id


def conversation_open(*, listing_id: int, buyer: Any) -> tuple[Conversation, bool]:
    """The one conversation of this listing and buyer: (conversation, created).

    Raises Listing.DoesNotExist, or ChatError when the buyer is the listing's seller.
    """
    listing = Listing.objects.select_related("seller").get(pk=listing_id)
    if listing.seller_id == buyer.pk:
        raise ChatError("listing", "You cannot contact yourself about your own listing.")
    existing = Conversation.objects.filter(listing_id=listing_id, buyer_id=buyer.pk).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                listing=listing, buyer=buyer, seller=listing.seller, last_activity_at=timezone.now()
            )
            Participant.objects.bulk_create(
                [
                    Participant(conversation=conversation, user_id=buyer.pk),
                    Participant(conversation=conversation, user_id=listing.seller_id),
                ]
            )
            conversation.listing = listing
            conversation.buyer, conversation.seller = buyer, listing.seller
            publish_all(_rows(conversation))
    except IntegrityError:  # the same buyer opened it in another tab at the same moment
        return Conversation.objects.get(listing_id=listing_id, buyer_id=buyer.pk), False
    return conversation, True


def _stored(*, sender_id: int, client_id: str, conversation_id: int, body: str) -> Message | None:
    """The message already stored under this client_id, if any (ClientIdReused if it differs)."""
    stored = Message.objects.filter(sender_id=sender_id, client_id=client_id).first()
    if stored is not None and (stored.conversation_id != conversation_id or stored.body != body):
        raise ClientIdReused("client_id", "client_id was already used for a different message.")
    return stored


def message_send(
    *, conversation_id: int, sender: Any, body: Any, client_id: Any, images: Sequence[Any] = ()
) -> tuple[Message, bool]:
    """Store a message and announce it: (message, created).

    `images` are uploaded files (apps/chat/photos.py; with them the body may be
    blank). A second send with the same client_id returns the stored message and
    announces nothing, before any photo is decoded or stored: a failed upload is
    retried safely. Raises ChatError for a bad body, client_id or image,
    ClientIdReused, Blocked when either participant blocked the other (nothing
    is stored), or Conversation.DoesNotExist when the sender is not a
    participant (callers answer 404).
    """
    body = clean_body(body, optional=bool(images))
    client_id = check_client_id(client_id)
    stored = _stored(
        sender_id=sender.pk, client_id=client_id, conversation_id=conversation_id, body=body
    )
    if stored is not None:
        return stored, False
    stored_files = _photos_stored(conversation_id, sender, images) if images else []
    try:
        with transaction.atomic():
            conversation = locked_conversation(conversation_id)
            if sender.pk not in (conversation.buyer_id, conversation.seller_id):
                raise Conversation.DoesNotExist
            check_not_blocked(conversation, sender)
            message = Message.objects.create(
                conversation=conversation, sender_id=sender.pk, body=body, client_id=client_id
            )
            MessageImage.objects.bulk_create(
                MessageImage(message=message, position=position, **fields)
                for position, fields in enumerate(stored_files)
            )
            message_announce(conversation, message)
            notify(
                recipient_id=conversation.other(sender.pk),
                kind=CHAT_MESSAGE.name,
                message=f"New message from {sender.get_username()}: {body or 'a photo'}",
                link=f"/chat/{conversation.pk}/",
                subject=(MESSAGE_SUBJECT, message.pk),
                dedupe_key=f"{MESSAGE_SUBJECT}:{message.pk}",
            )
            # The recipient's email if this stays unread (apps/chat/emails.py).
            emails.message_arrived(message=message, conversation=conversation)
    except IntegrityError:  # the same client_id raced in on another connection
        _photos_forget(stored_files)
        stored = _stored(
            sender_id=sender.pk, client_id=client_id, conversation_id=conversation_id, body=body
        )
        if stored is None:
            raise
        return stored, False
    except BaseException:  # nothing stored: neither are its photos
        _photos_forget(stored_files)
        raise
    return message, True


def locked_conversation(conversation_id: int) -> Conversation:
    """The conversation, its row locked for a new message (with listing and both users)."""
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("listing", "buyer", "seller")
        .get(pk=conversation_id)
    )


def message_announce(conversation: Conversation, message: Message) -> None:
    """A message just stored becomes the conversation's newest, announced to the room and
    both inbox rows in one write (tidewire.publish_all); inside the sender's transaction.

    A new message (a system line too) brings an archived conversation back to both lists.
    """
    prefetch_related_objects([message], "images")  # for the events' snapshots
    Participant.objects.filter(conversation_id=conversation.pk, archived_at__isnull=False).update(
        archived_at=None
    )
    conversation.last_message = message
    conversation.last_activity_at = message.created_at
    conversation.save(update_fields=["last_message", "last_activity_at"])
    room = (
        topics.conversation_topic(conversation.pk),
        MESSAGE,
        {"message": message_snapshot(message)},
    )
    publish_all([room, *_rows(conversation)])


def _photos_stored(conversation_id: int, sender: Any, images: Sequence[Any]) -> list[dict]:
    """Check who sends, decode and store the photos: each one's MessageImage fields.

    Who may send is checked first (Conversation.DoesNotExist, Blocked), so no
    stranger or blocked person makes the server decode anything.
    """
    conversation = selectors.conversation_for(user_id=sender.pk, conversation_id=conversation_id)
    check_not_blocked(conversation, sender)
    try:
        converted = photos.photos_from_uploads(list(images))
    except photos.PhotoRefused as error:
        raise ChatError("images", f"images: {error}") from None
    stored = []
    for photo in converted:
        name, thumbnail_name = photos.photo_store(photo, conversation_id=conversation_id)
        stored.append(
            {
                "name": name,
                "thumbnail_name": thumbnail_name,
                "content_type": photo.content_type,
                "width": photo.width,
                "height": photo.height,
            }
        )
    return stored


def _photos_forget(stored_files: list[dict]) -> None:
    photos.files_delete([f[key] for f in stored_files for key in ("name", "thumbnail_name")])


def _rows(conversation: Conversation, *, only: int | None = None) -> list[tuple[Any, ...]]:
    """The conversation's row for each participant's inbox (or only `only`'s), to publish."""
    markers = selectors.participants(conversation_id=conversation.pk)
    unread = selectors.unread_counts(conversation_id=conversation.pk, markers=markers)
    last = conversation.last_message
    if last is not None:
        prefetch_related_objects([last], "images")  # once for both rows (none if done)
    rows = []
    for user_id, other in (
        (conversation.buyer_id, conversation.seller),
        (conversation.seller_id, conversation.buyer),
    ):
        if only is not None and user_id != only:
            continue
        last_status = SENT
        if last is not None:
            last_status = delivery_status(last, markers)
        summary = conversation_summary(
            conversation,
            user_id=user_id,
            unread_count=unread[user_id],
            other_username=other.get_username(),
            last_status=last_status,
            archived=markers[user_id].archived_at is not None,
        )
        rows.append((topics.inbox_topic(user_id), CONVERSATION, {"conversation": summary}))
    return rows


def conversation_mark(
    *, conversation_id: int, user_id: int, up_to: int, read: bool
) -> tuple[Participant, bool]:
    """Move the user's delivered (and, with `read`, read) marker forward to `up_to`.

    Markers never move back, nor past the conversation's newest message. Returns
    the participant and whether anything moved; a move is announced as a
    `receipt` in the conversation and, when the unread count changes, as the
    user's row in their inbox. Raises Participant.DoesNotExist for a non-participant.
    """
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(
            conversation_id=conversation_id, user_id=user_id
        )
        up_to = min(up_to, selectors.latest_message_id(conversation_id=conversation_id))
        delivered = max(participant.delivered_up_to, up_to)
        read_up_to = max(participant.read_up_to, up_to) if read else participant.read_up_to
        if (delivered, read_up_to) == (participant.delivered_up_to, participant.read_up_to):
            return participant, False
        read_moved = read_up_to != participant.read_up_to
        previously_read = participant.read_up_to
        participant.delivered_up_to, participant.read_up_to = delivered, read_up_to
        participant.save(update_fields=["delivered_up_to", "read_up_to"])
        conversation = Conversation.objects.select_related(
            "listing", "buyer", "seller", "last_message"
        ).get(pk=conversation_id)
        # The receipt, and the rows: the reader's unread count, the other side's tick.
        receipt = (topics.conversation_topic(conversation_id), RECEIPT, receipt_body(participant))
        rows = _rows(conversation, only=None if read_moved else conversation.other(user_id))
        publish_all([receipt, *rows])
        if read_moved:  # the messages' notifications are read with them
            newly_read = Message.objects.filter(
                conversation_id=conversation_id, id__gt=previously_read, id__lte=read_up_to
            ).exclude(sender_id=user_id)
            notifications_read_about(
                recipient_id=user_id,
                subject_type=MESSAGE_SUBJECT,
                subject_ids=newly_read.values("id"),
            )
    return participant, True


def participant_seen(*, conversation_id: int, user_id: int) -> None:
    """Note that the user was in the conversation just now ("last seen")."""
    Participant.objects.filter(conversation_id=conversation_id, user_id=user_id).update(
        last_seen_at=timezone.now()
    )
