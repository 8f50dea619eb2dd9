"""Reads of outgoing emails and of development's mailbox."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import MailboxMessage, OutgoingEmail


def emails_to(*, recipient_id: int) -> QuerySet[OutgoingEmail]:
    """A user's emails, newest first (pending, sent and the rest)."""
    return OutgoingEmail.objects.filter(recipient_id=recipient_id).order_by("-id")


def mailbox(*, limit: int | None = None) -> QuerySet[MailboxMessage]:
    """Development's sent mail, newest first."""
    messages = MailboxMessage.objects.order_by("-id")
    return messages[:limit] if limit is not None else messages
