"""Writes of moderation: block and unblock someone, report a message, resolve reports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.chat.models import Message
from tidewire.text import clean_paragraph

from .models import REASON_MAX_LENGTH, Block, Report

User = get_user_model()


class ModerationError(ValueError):
    """A request refused for a reason the caller can show; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def block_create(*, blocker: Any, blocked_id: int) -> tuple[Block, bool]:
    """Block a user: (block, created); blocking again returns the block there is.

    History stays; new messages and offers between the two are refused while it
    lasts (moderation.selectors.blocked_between). Raises ModerationError naming
    `user` for oneself or nobody.
    """
    if blocked_id == blocker.pk:
        raise ModerationError("user", "You cannot block yourself.")
    if not User.objects.filter(pk=blocked_id).exists():
        raise ModerationError("user", f"No user with id {blocked_id}.")
    try:
        with transaction.atomic():
            return Block.objects.get_or_create(blocker_id=blocker.pk, blocked_id=blocked_id)
    except IntegrityError:  # the same block made at the same moment in another tab
        return Block.objects.get(blocker_id=blocker.pk, blocked_id=blocked_id), False


def block_delete(*, blocker: Any, blocked_id: int) -> bool:
    """Undo the user's block of `blocked_id`; whether there was one."""
    deleted, _ = Block.objects.filter(blocker_id=blocker.pk, blocked_id=blocked_id).delete()
    return deleted > 0


def clean_reason(reason: Any) -> str:
    """A report's reason: text, trimmed, 1 to 1,000 characters (ModerationError otherwise)."""
    try:
        return clean_paragraph(reason, max_length=REASON_MAX_LENGTH)
    except ValueError as error:  # InvalidText is one
        raise ModerationError("reason", f"reason {error}.") from None


def report_create(
    *, reporter: Any, conversation_id: int, message_id: int, reason: Any
) -> tuple[Report, bool]:
    """Report the other participant's message: (report, created), into the admin's queue.

    Reporting the same message again returns the first report. Raises
    Message.DoesNotExist unless the reporter takes part in the conversation
    (callers answer 404), ModerationError for one's own message or a bad reason.
    """
    reason = clean_reason(reason)
    message = Message.objects.select_related("conversation").get(
        pk=message_id, conversation_id=conversation_id
    )
    if reporter.pk not in (message.conversation.buyer_id, message.conversation.seller_id):
        raise Message.DoesNotExist
    if message.sender_id is None:  # a marketplace line (the offers branch's system lines)
        raise ModerationError("message", "Only a person's message can be reported.")
    if message.sender_id == reporter.pk:
        raise ModerationError("message", "You cannot report your own message.")
    try:
        with transaction.atomic():
            return Report.objects.get_or_create(
                reporter_id=reporter.pk,
                message=message,
                defaults={"reason": reason, "body_reported": message.body},
            )
    except IntegrityError:
        return Report.objects.get(reporter_id=reporter.pk, message=message), False


def reports_resolve(*, report_ids: list[int], moderator: Any) -> int:
    """Mark open reports resolved by `moderator`; how many changed."""
    return Report.objects.filter(pk__in=report_ids, status=Report.Status.OPEN).update(
        status=Report.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=moderator
    )
