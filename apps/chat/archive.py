"""Archive a conversation in one person's list (issue 14, item 6).

Archiving is per person (Participant.archived_at) and announced as that
person's list row; a new message unarchives it for both (services.message_send),
so nothing new is missed in an archive.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tidewire.publish import publish_all

from .models import Conversation, Participant
from .services import _rows


def conversation_archive(*, conversation_id: int, user_id: int, archived: bool) -> Participant:
    """Archive the conversation in the user's list, or bring it back; announced to their list.

    Archiving again changes nothing. A new message in it unarchives it for both
    (message_send). Raises Participant.DoesNotExist for a non-participant.
    """
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(
            conversation_id=conversation_id, user_id=user_id
        )
        if (participant.archived_at is not None) == archived:
            return participant
        participant.archived_at = timezone.now() if archived else None
        participant.save(update_fields=["archived_at"])
        conversation = Conversation.objects.select_related(
            "listing", "buyer", "seller", "last_message"
        ).get(pk=conversation_id)
        publish_all(_rows(conversation, only=user_id))
    return participant
