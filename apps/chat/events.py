"""Events and signals of the chat, and the snapshots they and the REST API share.

A conversation's topic carries `message`, `message_updated` and `receipt` events and `typing`
signals; a user's inbox topic carries `conversation` events (the list's row).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tidewire.events import declare, iso_timestamp

from .models import Conversation, Message, MessageImage, Participant

SENT, DELIVERED, READ = "sent", "delivered", "read"

MESSAGE_SNAPSHOT = {
    "id": int,
    "conversation": int,
    "sender": (int, type(None)),  # None on a system line
    "kind": str,  # "text", or "system": a line the marketplace wrote ("Sold")
    "body": str,
    "client_id": str,
    "created_at": str,
    "status": str,
    "edited_at": (str, type(None)),  # the last edit's time; None if never edited
    "deleted": bool,  # deleted for everyone: a tombstone whose body is ""
    "images": list,  # [{"url", "thumbnail_url"}], participants only (apps/chat/photo_views.py)
}

MESSAGE = declare(
    "message",
    doc="A message was stored in the conversation (seed 003's frame, with its id and status).",
    message=MESSAGE_SNAPSHOT,
)

MESSAGE_UPDATED = declare(
    "message_updated",
    doc="A message was edited or deleted for everyone: its new state (apps/chat/edits.py).",
    message=MESSAGE_SNAPSHOT,
)

RECEIPT = declare(
    "receipt",
    doc="How far a participant has received and read the other side's messages (ids).",
    user=int,
    delivered_up_to=int,
    read_up_to=int,
)

TYPING = declare(
    "typing",
    doc="Signal: a participant started or stopped typing (never stored).",
    user=int,
    typing=bool,
)

CONVERSATION = declare(
    "conversation",
    doc="A row of the user's conversation list changed (new message, read, new conversation).",
    conversation={
        "id": int,
        "listing": {"id": int, "title": str, "price": str, "status": str},
        "other": {"id": int, "username": str},
        "last_message": (dict, type(None)),
        "unread_count": int,
        "last_activity_at": str,
        "archived": bool,
    },
)


def message_status(message_id: int, recipient: Participant | None) -> str:
    """Where a message stands with its recipient: sent, delivered or read."""
    if recipient is None:
        return SENT
    if message_id <= recipient.read_up_to:
        return READ
    if message_id <= recipient.delivered_up_to:
        return DELIVERED
    return SENT


def delivery_status(message: Message, markers: dict[int, Participant]) -> str:
    """`message_status` towards the message's recipient, from both sides' markers by user id."""
    recipient = next((p for user_id, p in markers.items() if user_id != message.sender_id), None)
    return message_status(message.pk, recipient)


def message_snapshot(message: Message, *, status: str = SENT) -> dict[str, Any]:
    """A message as the socket and REST show it."""
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "sender": message.sender_id,
        "kind": message.kind,
        "body": message.body,
        "client_id": message.client_id,
        "created_at": iso_timestamp(message.created_at),
        "status": status,
        "edited_at": iso_timestamp(message.edited_at) if message.edited_at else None,
        "deleted": message.deleted_at is not None,
        "images": [image_urls(image) for image in message.images.all()],
    }


def image_urls(image: MessageImage) -> dict[str, str]:
    """Where a participant fetches a photo and its thumbnail (others get 404 there)."""
    url = reverse(
        "chat-image",
        kwargs={"conversation_id": image.message.conversation_id, "image_id": image.pk},
    )
    return {"url": url, "thumbnail_url": f"{url}thumbnail/"}


def receipt_body(participant: Participant) -> dict[str, Any]:
    """The fields of a `receipt` event for a participant's markers."""
    return {
        "user": participant.user_id,
        "delivered_up_to": participant.delivered_up_to,
        "read_up_to": participant.read_up_to,
    }


def conversation_summary(
    conversation: Conversation,
    *,
    user_id: int,
    unread_count: int,
    other_username: str,
    last_status: str = SENT,
    archived: bool = False,
) -> dict[str, Any]:
    """A row of `user_id`'s conversation list (REST and the inbox topic)."""
    listing = conversation.listing
    last = conversation.last_message
    return {
        "id": conversation.pk,
        "listing": {
            "id": listing.pk,
            "title": listing.title,
            "price": f"{listing.price:.2f}",
            "status": listing.status,
        },
        "other": {"id": conversation.other(user_id), "username": other_username},
        "last_message": None if last is None else message_snapshot(last, status=last_status),
        "unread_count": unread_count,
        "last_activity_at": iso_timestamp(conversation.last_activity_at),
        "archived": archived,
    }
