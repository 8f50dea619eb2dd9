"""Seed 003's pages: the conversation list and a conversation's room.

Each page embeds what it shows and the offset of its topic read before the
data, so its socket resumes from there and misses nothing in between.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from apps.listings.topics import listing_topic
from apps.moderation.selectors import has_blocked
from tidewire.conf import tidewire_setting
from tidewire.events import iso_timestamp
from tidewire.streams import stream_offset

from . import selectors
from .api import summaries, summary_of
from .events import delivery_status, message_snapshot, receipt_body
from .models import Conversation
from .topics import conversation_topic, inbox_topic


@ensure_csrf_cookie
def conversation_list(request: HttpRequest) -> HttpResponse:
    """My conversations: pushed on the user's inbox topic, never polled."""
    topic = inbox_topic(request.user.pk)
    offset = stream_offset(topic=topic)  # before the data
    context = {
        "page": {
            "me": request.user.pk,
            "topic": topic,
            "offset": offset,
            "conversations": summaries(request.user.pk),
        }
    }
    return render(request, "chat/list.html", context)


@ensure_csrf_cookie
def room(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """One conversation: the listing card, history (newest page), receipts and presence."""
    topic = conversation_topic(conversation_id)
    offset = stream_offset(topic=topic)  # before the data
    try:
        conversation = selectors.conversation_for(
            user_id=request.user.pk, conversation_id=conversation_id
        )
    except Conversation.DoesNotExist:
        raise Http404("No such conversation.") from None
    listing_offset = stream_offset(topic=listing_topic(conversation.listing_id))
    me = request.user
    other = conversation.seller if me.pk == conversation.buyer_id else conversation.buyer
    markers = selectors.participants(conversation_id=conversation_id)
    history, more = selectors.message_page(conversation_id=conversation_id)
    messages = [message_snapshot(m, status=delivery_status(m, markers)) for m in history]
    last_seen = markers[other.pk].last_seen_at
    page = {
        "conversation": summary_of(conversation_id, me.pk),
        "topic": topic,
        "offset": offset,
        "listing_topic": listing_topic(conversation.listing_id),
        "listing_offset": listing_offset,
        "me": {"id": me.pk, "username": me.get_username()},
        "other": {
            "id": other.pk,
            "username": other.get_username(),
            "last_seen_at": iso_timestamp(last_seen) if last_seen else None,
        },
        "messages": messages,  # newest first
        "more": more,
        "receipts": {str(uid): receipt_body(p) for uid, p in markers.items()},
        "edit_minutes": tidewire_setting("MESSAGE_EDIT_MINUTES"),
        "blocked_by_me": has_blocked(blocker=me, blocked=other),
        "photo_max_bytes": tidewire_setting("CHAT_IMAGE_MAX_BYTES"),
    }
    return render(
        request, "chat/room.html", {"page": page, "conversation": conversation, "other": other}
    )
