"""Topics of the chat: one per conversation (participants only) and one inbox per user."""

from tidewire.topics import register_topic

from . import frames
from .selectors import is_participant


def conversation_topic(conversation_id: int) -> str:
    """A conversation's messages and receipts (events), typing (signals) and presence."""
    return f"chat.conversation.{conversation_id}"


def inbox_topic(user_id: int) -> str:
    """A user's conversation list: a `conversation` event whenever one of its rows changes."""
    return f"chat.inbox.{user_id}"


def _may_join_conversation(user, match) -> bool:
    # Runs on a database thread (tidewire.topics): a participant check per join.
    conversation_id = int(match[1])
    if not user.is_authenticated or conversation_id >= 2**63:  # beyond any database id
        return False
    return is_participant(user_id=user.pk, conversation_id=conversation_id)


register_topic(
    r"chat\.conversation\.(\d+)",
    may_join=_may_join_conversation,
    doc="A conversation: message and receipt events, typing signals, presence. Participants only.",
    presence=True,
    handle_in=frames.conversation_frame,
    on_leave=frames.conversation_left,
)
register_topic(
    r"chat\.inbox\.(\d+)",
    may_join=lambda user, match: user.is_authenticated and str(user.pk) == match[1],
    doc="One user's conversation list (conversation events). That user only.",
    handle_in=frames.inbox_frame,
)
