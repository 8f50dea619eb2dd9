"""System lines: what the marketplace says in a conversation ("Sold", "Price lowered to €80").

A system line is a Message of kind `system` with no sender, stored and announced
through the chat's one message path (the room's `message` event and both inbox
rows), so history, catch-up, offsets and unread counts treat it as any message.
It counts as unread for both participants: neither wrote it, and a listing
reserved for someone else is news the other buyers should see in their list.
It notifies nobody and schedules no email (the offer that caused it notifies).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import transaction

from apps.listings.models import Listing
from apps.listings.services import ListingChange

from .models import Conversation, Message
from .services import clean_body, locked_conversation, message_announce


def system_line_post(*, conversation_id: int, body: str) -> Message:
    """Store a system line in a conversation and announce it like any message."""
    body = clean_body(body)
    with transaction.atomic():
        conversation = locked_conversation(conversation_id)
        message = Message.objects.create(
            conversation=conversation,
            sender=None,
            kind=Message.Kind.SYSTEM,
            body=body,
            client_id=f"system-{uuid.uuid4().hex}",
        )
        message_announce(conversation, message)
    return message


def euros(amount: Decimal) -> str:
    """€80, or €80.50 when there are cents."""
    return f"€{amount:.0f}" if amount == amount.to_integral_value() else f"€{amount:.2f}"


def _status_line(status: str, *, conversation: Conversation, buyer_id: int | None) -> str:
    """What a new status means to this conversation's buyer."""
    if status == Listing.Status.AVAILABLE:
        return "Available again"
    word = "Reserved for" if status == Listing.Status.RESERVED else "Sold to"
    if buyer_id is None:
        return "Reserved" if status == Listing.Status.RESERVED else "Sold"
    if buyer_id == conversation.buyer_id:
        return f"{word} {conversation.buyer.get_username()}"
    return f"{word} another buyer"


def listing_lines(change: ListingChange) -> list[tuple[Conversation, str]]:
    """The lines a listing change puts in each conversation about it (status, then price)."""
    listing = change.listing
    conversations = Conversation.objects.filter(listing_id=listing.pk).select_related("buyer")
    lines = []
    for conversation in conversations.order_by("id"):
        if "status" in change.before:
            status = _status_line(
                listing.status, conversation=conversation, buyer_id=change.buyer_id
            )
            lines.append((conversation, status))
        if "price" in change.before:
            direction = "lowered" if listing.price < change.before["price"] else "raised"
            lines.append((conversation, f"Price {direction} to {euros(listing.price)}"))
    return lines


def listing_updated(change: ListingChange) -> None:
    """The listings hook (registered in ChatConfig.ready): a line per change per conversation."""
    for conversation, body in listing_lines(change):
        system_line_post(conversation_id=conversation.pk, body=body)
