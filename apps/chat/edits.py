"""A sender's second thoughts: edit a message's body, or delete it for everyone.

Both are allowed to the sender only, within MESSAGE_EDIT_MINUTES of sending
(issue 14, item 4), and both announce the message's new state as a
`message_updated` event on the conversation's topic, so an open room changes
at once and a room that resumes from an offset replays it. A deleted message
stays as a tombstone: its row (id, sender, time) is kept with the body
cleared, so offsets, markers and unread counts do not move; it can be neither
edited nor deleted again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.notifications.models import Notification
from apps.notifications.services import notification_archive
from tidewire.conf import tidewire_setting
from tidewire.publish import publish_all

from . import photos, topics
from .events import MESSAGE_UPDATED, message_snapshot
from .models import Conversation, Message
from .services import MESSAGE_SUBJECT, ChatError, _rows, check_not_blocked, clean_body


class NotYours(ChatError):
    """Only a message's sender may edit or delete it (callers answer 403)."""


class TooLate(ChatError):
    """The message can no longer be changed: the window closed, or it was deleted (409)."""


def edit_window() -> timedelta:
    return timedelta(minutes=tidewire_setting("MESSAGE_EDIT_MINUTES"))


def _changeable(*, conversation_id: int, message_id: int, user: Any) -> Message:
    """The message, locked, if `user` may change it now.

    Raises Message.DoesNotExist when the user is not a participant or the
    message is not in this conversation (callers answer 404: no leak), NotYours
    for the other participant, TooLate past the window or for a tombstone.
    """
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("conversation")
        .get(pk=message_id, conversation_id=conversation_id)
    )
    conversation = message.conversation
    if user.pk not in (conversation.buyer_id, conversation.seller_id):
        raise Message.DoesNotExist
    if message.sender_id != user.pk:
        raise NotYours("message", "Only the sender may change a message.")
    if message.deleted_at is not None:
        raise TooLate("message", "This message was deleted.")
    minutes = tidewire_setting("MESSAGE_EDIT_MINUTES")
    if timezone.now() > message.created_at + edit_window():
        raise TooLate("message", f"A message can be changed for {minutes} minutes after sending.")
    return message


def _announce(message: Message) -> None:
    """The message's new state to the room, and to both lists when it is the newest."""
    room = (
        topics.conversation_topic(message.conversation_id),
        MESSAGE_UPDATED,
        {"message": message_snapshot(message)},
    )
    events = [room]
    conversation = message.conversation
    if conversation.last_message_id == message.pk:  # the list's preview shows it
        conversation = Conversation.objects.select_related(
            "listing", "buyer", "seller", "last_message"
        ).get(pk=conversation.pk)
        events += _rows(conversation)
    publish_all(events)


def message_edit(*, conversation_id: int, message_id: int, user: Any, body: Any) -> Message:
    """Replace a message's body (within the window) and announce its new state.

    The same body again changes nothing and announces nothing. Raises ChatError
    naming `body` for a bad body, services.Blocked between a blocked pair
    (deleting stays possible), and the errors of `_changeable`.
    """
    body = clean_body(body)
    with transaction.atomic():
        message = _changeable(conversation_id=conversation_id, message_id=message_id, user=user)
        if message.body == body:
            return message
        check_not_blocked(message.conversation, user)  # an edit is new text for the other side
        message.body = body
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at"])
        _announce(message)
    return message


def message_delete(*, conversation_id: int, message_id: int, user: Any) -> Message:
    """Delete a message for everyone (within the window): a tombstone, announced.

    The body is cleared in storage and its photos removed; the bell's notification about it (which
    quotes the text) is archived, and a missed-message email leaves it out
    (apps/chat/emails.py).
    """
    with transaction.atomic():
        message = _changeable(conversation_id=conversation_id, message_id=message_id, user=user)
        message.body = ""
        message.deleted_at = timezone.now()
        message.save(update_fields=["body", "deleted_at"])
        images = message.images.all()
        names = [name for image in images for name in (image.name, image.thumbnail_name)]
        images.delete()
        transaction.on_commit(lambda: photos.files_delete(names), robust=True)
        _announce(message)
        recipient_id = message.conversation.other(user.pk)
        quoting = Notification.objects.filter(
            recipient_id=recipient_id, subject_type=MESSAGE_SUBJECT, subject_id=message.pk
        )
        for notification_id in quoting.values_list("pk", flat=True):
            notification_archive(recipient_id=recipient_id, notification_id=notification_id)
    return message
