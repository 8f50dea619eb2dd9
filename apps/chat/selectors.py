"""Reads of the chat: who is in a conversation, the lists, history and unread counts."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from apps.listings.models import Listing

from .models import Conversation, Message, Participant

User = get_user_model()

HISTORY_PAGE = 50  # messages per page of history
HISTORY_PAGE_MAX = 200
# Full-text search configuration: "simple" lowercases and splits words without an
# English stemmer, since buyers and sellers write in every language.
FTS = "simple"
# A search word as PostgreSQL's tsquery may take it: letters, digits, underscore.
WORD = re.compile(r"\w+")


def is_participant(*, user_id: int, conversation_id: int) -> bool:
    """Whether the user is one of the conversation's two participants."""
    return Participant.objects.filter(user_id=user_id, conversation_id=conversation_id).exists()


def conversation_for(*, user_id: int, conversation_id: int) -> Conversation:
    """A conversation the user takes part in; Conversation.DoesNotExist otherwise (no leak)."""
    return Conversation.objects.select_related("listing", "buyer", "seller", "last_message").get(
        Q(buyer_id=user_id) | Q(seller_id=user_id), pk=conversation_id
    )


def participants(*, conversation_id: int) -> dict[int, Participant]:
    """Both sides' markers, by user id."""
    rows = Participant.objects.filter(conversation_id=conversation_id)
    return {row.user_id: row for row in rows}


def unread_count(*, conversation_id: int, user_id: int, read_up_to: int) -> int:
    """Messages from the other side after the user's read marker."""
    return (
        Message.objects.filter(conversation_id=conversation_id, id__gt=read_up_to)
        .exclude(sender_id=user_id)
        .count()
    )


def participants_with_unread(*, conversation_ids: list[int]) -> dict[int, dict[int, Participant]]:
    """Both sides' markers of each conversation, by conversation and user id, in one query;
    each with `unread`, its `unread_count`."""
    rows = Participant.objects.filter(conversation_id__in=conversation_ids).annotate(
        unread=Count(
            "conversation__messages",
            filter=Q(conversation__messages__id__gt=F("read_up_to"))
            & ~Q(conversation__messages__sender_id=F("user_id")),
        )
    )
    found: dict[int, dict[int, Participant]] = {}
    for row in rows:
        found.setdefault(row.conversation_id, {})[row.user_id] = row
    return found


def conversation_rows(
    *, user_id: int, search: str | None = None, archived: bool | None = None
) -> QuerySet[Participant]:
    """The user's side of each conversation, newest activity first, with `unread`.

    Each row has its conversation (listing, both users, last message) and the
    other side's markers are read separately (`other_markers`). `archived`
    keeps only the archived rows (True) or the others (False); `search` keeps
    conversations whose listing title, other person or message text match it.
    """
    unread = Count(
        "conversation__messages",
        filter=Q(conversation__messages__id__gt=F("read_up_to"))
        & ~Q(conversation__messages__sender_id=user_id),
    )
    rows = (
        Participant.objects.filter(user_id=user_id)
        .select_related(
            "conversation__listing",
            "conversation__buyer",
            "conversation__seller",
            "conversation__last_message",
        )
        .prefetch_related("conversation__last_message__images")
        .annotate(unread=unread)
        .order_by("-conversation__last_activity_at", "-conversation_id")
    )
    if archived is not None:
        rows = rows.filter(archived_at__isnull=not archived)
    if search:
        rows = rows.filter(_matching(search, user_id))
    return rows


def _matching(search: str, user_id: int) -> Q:
    """Rows whose listing title, other person or message text match `search`.

    On PostgreSQL the title and the messages are searched as text (full-text
    search, each word a prefix: "lapt scr" finds "Laptop with a scratch"); on
    SQLite, as a plain contains match. Usernames are names, not prose: a
    contains match everywhere.
    """
    other = Q(conversation__buyer__username__icontains=search, conversation__seller_id=user_id) | Q(
        conversation__seller__username__icontains=search, conversation__buyer_id=user_id
    )
    messages = Message.objects.filter(
        conversation_id=OuterRef("conversation_id"), deleted_at__isnull=True
    )
    words = WORD.findall(search)
    if connection.vendor != "postgresql" or not words:
        return (
            other
            | Q(conversation__listing__title__icontains=search)
            | Exists(messages.filter(body__icontains=search))
        )
    query = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config=FTS)
    titles = Listing.objects.filter(pk=OuterRef("conversation__listing_id")).annotate(
        text=SearchVector("title", config=FTS)
    )
    bodies = messages.annotate(text=SearchVector("body", config=FTS))
    return other | Exists(titles.filter(text=query)) | Exists(bodies.filter(text=query))


def other_markers(*, conversation_ids: list[int], user_id: int) -> dict[int, Participant]:
    """The other side's markers in each conversation (for the status of the user's messages)."""
    rows = Participant.objects.filter(conversation_id__in=conversation_ids).exclude(user_id=user_id)
    return {row.conversation_id: row for row in rows}


def message_page(
    *, conversation_id: int, before: int | None = None, limit: int = HISTORY_PAGE
) -> tuple[list[Message], bool]:
    """Up to `limit` messages, newest first, older than message id `before` when given;
    and whether older ones remain."""
    messages = Message.objects.filter(conversation_id=conversation_id)
    if before is not None:
        messages = messages.filter(id__lt=before)
    page = list(messages.order_by("-id").prefetch_related("images")[: limit + 1])
    return page[:limit], len(page) > limit


def latest_message_id(*, conversation_id: int) -> int:
    """The id of the conversation's newest message, 0 when it has none."""
    newest = (
        Message.objects.filter(conversation_id=conversation_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return newest or 0
