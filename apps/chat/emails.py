"""Missed-message emails: a chat message still unread after a delay reaches its recipient by email.

The rules (issue 12, item 5):
- an email goes out only if a message is still unread MISSED_MESSAGE_DELAY
  seconds (300) after it arrived, and within a minute after that (the send job
  runs every 15 s: apps/mailing/jobs.py);
- none for a message read, or deleted, before then (a message deleted for
  everyone is left out; an edited one reads as it does when the email goes out);
- one email per recipient lists every conversation with news, each with its
  unread messages as they read when the email goes out, the listing's title and
  the other person;
- at most one email per conversation per hour;
- only to users with an email address who left chat emails on (the send job
  checks both, at send time).

How: each new message schedules its recipient's email, due once that message
has been unread for the delay, or joins the one already pending (a batch per
recipient). Reading schedules and cancels nothing: when the email falls due,
the renderer looks at what is unread then, and sends, waits for a newer
message's own due time, or cancels. Each participant row remembers the last
message emailed (`emailed_up_to`) and when (`emailed_at`): a message is in at
most one email's news, and a conversation emailed within the hour waits for
the hour to end.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Greatest
from django.urls import reverse

from apps.mailing.models import OutgoingEmail
from apps.mailing.renderers import (
    Cancel,
    Outcome,
    Reschedule,
    letter_from_templates,
    register_renderer,
)
from apps.mailing.scheduling import email_schedule
from tidewire.conf import tidewire_setting

from .kinds import CHAT_MESSAGE
from .models import Conversation, Message, Participant

RENDERER = "chat.missed_messages"
# Issue 12: a busy conversation emails its recipient at most once an hour.
CONVERSATION_EMAIL_INTERVAL = timedelta(hours=1)
# Unread messages shown per conversation (the newest); the email says how many more.
MESSAGES_SHOWN = 10


def missed_message_delay() -> timedelta:
    return timedelta(seconds=tidewire_setting("MISSED_MESSAGE_DELAY"))


def messages_arrived(announced: list[tuple[Conversation, Message]]) -> None:
    """Schedule (or keep) each recipient's missed-message email; chat services call it with
    the messages just stored, (conversation, message) each.

    Runs in the sending transaction, so an email is scheduled if and only if its
    message is stored. A recipient's later messages in the same batch are due
    later: the first one's email (pending) already covers them.
    """
    scheduled: set[int] = set()
    for conversation, message in announced:
        recipient = (
            conversation.seller
            if message.sender_id == conversation.buyer_id
            else conversation.buyer
        )
        if not recipient.email or recipient.pk in scheduled:
            continue
        scheduled.add(recipient.pk)
        due_at = message.created_at + missed_message_delay()
        _schedule(recipient.pk, key=f"chat.missed:{recipient.pk}:{message.pk}", due_at=due_at)


def _schedule(user_id: int, *, key: str, due_at: datetime) -> OutgoingEmail:
    """The user's one pending missed-message email (a batch), due no later than `due_at`."""
    return email_schedule(
        recipient_id=user_id,
        kind=CHAT_MESSAGE.name,
        renderer=RENDERER,
        key=key,
        batch=f"chat.missed:{user_id}",
        due_at=due_at,
    )


@register_renderer(RENDERER)
def missed_messages(email: OutgoingEmail, *, now: datetime) -> Outcome:
    """The email of what the recipient has unread now, or why not (yet)."""
    user_id = email.recipient_id
    with_news = list(_participants_with_news(user_id))
    if not with_news:
        return Cancel("every message was read")
    delay = missed_message_delay()
    included, waiting = [], []  # conversations in this email; due times of those held back
    for participant in with_news:
        due = participant.oldest_news + delay
        hour_over = participant.emailed_at and participant.emailed_at + CONVERSATION_EMAIL_INTERVAL
        if hour_over and hour_over > now:
            waiting.append(max(due, hour_over))  # emailed within the hour: waits
        else:
            included.append((participant, due))
    if not included or min(due for _, due in included) > now:
        return Reschedule(min([*waiting, *(due for _, due in included)]))
    conversations = [c for c in _listed(user_id, [p for p, _ in included]) if c["messages"]]
    if not conversations:
        return Cancel("every message was read")

    def on_sent() -> None:
        _mark_emailed(user_id, conversations, now)
        if waiting:  # held back by the hourly limit: their own email, when it is over
            _schedule(user_id, key=f"chat.missed:{user_id}:after:{email.pk}", due_at=min(waiting))

    return letter_from_templates(
        "chat/emails/missed_messages",
        email,
        {
            "conversations": conversations,
            "unread": sum(len(c["messages"]) + c["more"] for c in conversations),
        },
        on_sent=on_sent,
    )


def _participants_with_news(user_id: int):
    """The user's sides of conversations with unread messages not emailed yet.

    Each has `oldest_news`: when the oldest of those arrived.
    """
    news = (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            id__gt=Greatest(OuterRef("read_up_to"), OuterRef("emailed_up_to")),
            deleted_at__isnull=True,
        )
        .exclude(sender_id=user_id)
        .order_by("id")
        .values("created_at")[:1]
    )
    return (
        Participant.objects.filter(user_id=user_id)
        .annotate(oldest_news=Subquery(news))
        .filter(oldest_news__isnull=False)
        .select_related("conversation__listing", "conversation__buyer", "conversation__seller")
        .order_by("conversation_id")
    )


def _listed(user_id: int, participants: list[Participant]) -> list[dict[str, Any]]:
    """Each conversation as the email shows it: listing, other person, unread messages."""
    unread = Q(pk__in=[])
    for participant in participants:
        unread |= Q(conversation_id=participant.conversation_id, id__gt=participant.read_up_to)
    by_conversation: dict[int, list[Message]] = {}
    messages = (
        Message.objects.filter(unread, deleted_at__isnull=True)
        .exclude(sender_id=user_id)
        .select_related("sender")
    )
    for message in messages.order_by("id"):
        by_conversation.setdefault(message.conversation_id, []).append(message)
    listed = []
    for participant in participants:
        conversation = participant.conversation
        messages = by_conversation.get(conversation.pk, [])
        other = conversation.buyer if user_id == conversation.seller_id else conversation.seller
        listed.append(
            {
                "id": conversation.pk,
                "title": conversation.listing.title,
                "other": other.get_username(),
                "path": reverse("chat:room", args=[conversation.pk]),
                "messages": messages[-MESSAGES_SHOWN:],
                "more": max(0, len(messages) - MESSAGES_SHOWN),
                "up_to": messages[-1].pk if messages else 0,
            }
        )
    return listed


def _mark_emailed(user_id: int, conversations: list[dict[str, Any]], now: datetime) -> None:
    """In the transaction that marks the email sent: what it told, and when."""
    for conversation in conversations:
        Participant.objects.filter(user_id=user_id, conversation_id=conversation["id"]).update(
            emailed_up_to=Greatest(F("emailed_up_to"), Value(conversation["up_to"])),
            emailed_at=now,
        )
