"""What a participant's socket may send about a conversation, and what happens when it leaves.

The core routes these (tidewire.topics `handle_in`): on `/ws/chat/<id>/` every
frame but ping, on `/ws/` frames naming a followed topic. Only sockets that
joined the topic get here, so each frame is from a participant.

- `{"type": "message", "body", "client_id"}` → `{"type": "ack", "client_id", "message"}`
- `{"type": "edit", "message": <id>, "body"}`, `{"type": "delete", "message": <id>}`
  → `{"type": "changed", "message": <its new state>}` (apps/chat/edits.py's rules)
- `{"type": "typing", "typing": true|false}` → a `typing` signal to the conversation
- `{"type": "delivered"|"read", "up_to": <message id>}` → `{"type": "marked", ...}`
- on the inbox: `{"type": "delivered", "conversation", "up_to"}`
"""

from __future__ import annotations

import uuid
from typing import Any

from tidewire.fanout import hub
from tidewire.publish import asignal
from tidewire.sync_threads import on_sync_thread
from tidewire.throttles import user_rate_allows
from tidewire.topics import FrameRefused, TopicFrame

from . import edits, services
from .events import TYPING, message_snapshot
from .models import Conversation, Message, Participant
from .send_queue import SEND_SCOPE, send_queue


def _up_to(frame: dict[str, Any]) -> int:
    up_to = frame.get("up_to")
    if type(up_to) is not int or not 0 <= up_to < 2**63:
        raise FrameRefused("invalid_frame", '"up_to" must be a message id (a positive integer)')
    return up_to


async def conversation_frame(request: TopicFrame) -> dict[str, Any] | None:
    """A frame about a conversation the socket follows."""
    kind = request.frame["type"]
    conversation_id = int(request.match[1])
    if kind == "message":
        return await _send(request, conversation_id)
    if kind == "typing":
        typing = request.frame.get("typing")
        if type(typing) is not bool:
            raise FrameRefused("invalid_frame", '"typing" must be true or false')
        await asignal(topic=request.topic, event=TYPING, user=request.user.pk, typing=typing)
        return None
    if kind in ("delivered", "read"):
        return await _mark(request.user.pk, conversation_id, _up_to(request.frame), kind == "read")
    if kind in ("edit", "delete"):
        return await _change(request, conversation_id)
    raise FrameRefused("unknown_type", f"unknown frame type {kind[:64]!r}")


# A refused edit or delete, as the error frame's code (REST answers 403, 409, 404).
CHANGE_REFUSALS = (
    (services.Blocked, "blocked"),
    (edits.NotYours, "forbidden"),
    (edits.TooLate, "too_late"),
)


async def _change(request: TopicFrame, conversation_id: int) -> dict[str, Any]:
    frame = request.frame
    message_id = frame.get("message")
    if type(message_id) is not int or not 0 < message_id < 2**63:
        raise FrameRefused("invalid_frame", '"message" must be a message id')
    try:
        snapshot = await on_sync_thread(
            _change_now, conversation_id, request.user, message_id, frame
        )
    except Message.DoesNotExist:
        raise FrameRefused("not_found", f"no message with id {message_id}") from None
    except services.ChatError as error:
        for refusal, code in CHANGE_REFUSALS:
            if isinstance(error, refusal):
                raise FrameRefused(code, error.message) from None
        raise FrameRefused("invalid_frame", f'"{error.field}": {error.message}') from None
    return {"type": "changed", "message": snapshot}


def _change_now(conversation_id: int, user: Any, message_id: int, frame: dict) -> dict[str, Any]:
    """The send limit (a change costs a send) and the edit or delete, on a sync thread."""
    allowed, wait = user_rate_allows(SEND_SCOPE, user)
    if not allowed:
        raise FrameRefused("rate_limited", f"too many changes: retry in {wait:.0f} seconds")
    where = {"conversation_id": conversation_id, "message_id": message_id, "user": user}
    if frame["type"] == "edit":
        message = edits.message_edit(**where, body=frame.get("body"))
    else:
        message = edits.message_delete(**where)
    return message_snapshot(message)


async def _send(request: TopicFrame, conversation_id: int) -> dict[str, Any]:
    frame, user = request.frame, request.user
    client_id = frame.get("client_id")
    if client_id is None:  # seed 003's frame has none: this send cannot be retried safely
        client_id = f"seed-{uuid.uuid4().hex}"
    try:
        snapshot = await send_queue().send(conversation_id, user, frame.get("body"), client_id)
    except services.ClientIdReused as error:
        raise FrameRefused("client_id_reused", error.message) from None
    except services.Blocked as error:
        raise FrameRefused("blocked", error.message) from None
    except services.ChatError as error:
        raise FrameRefused("invalid_frame", f'"{error.field}": {error.message}') from None
    except Conversation.DoesNotExist:  # the conversation was deleted under the socket
        raise FrameRefused("not_found", "this conversation no longer exists") from None
    # Stored is "sent"; the receipts that follow move it on (a retry's ack says "sent" too).
    return {"type": "ack", "client_id": client_id, "message": snapshot}


async def _mark(user_id: int, conversation_id: int, up_to: int, read: bool) -> dict[str, Any]:
    try:
        participant, _moved = await on_sync_thread(
            services.conversation_mark,
            conversation_id=conversation_id,
            user_id=user_id,
            up_to=up_to,
            read=read,
        )
    except Participant.DoesNotExist:
        raise FrameRefused("not_found", "no such conversation") from None
    return {
        "type": "marked",
        "conversation": conversation_id,
        "delivered_up_to": participant.delivered_up_to,
        "read_up_to": participant.read_up_to,
    }


async def inbox_frame(request: TopicFrame) -> dict[str, Any] | None:
    """A frame on the user's inbox: delivery of messages the list page received."""
    frame = request.frame
    if frame["type"] != "delivered":
        raise FrameRefused("unknown_type", f"unknown frame type {frame['type'][:64]!r}")
    conversation_id = frame.get("conversation")
    if type(conversation_id) is not int or not 0 < conversation_id < 2**63:
        raise FrameRefused("invalid_frame", '"conversation" must be a conversation id')
    return await _mark(request.user.pk, conversation_id, _up_to(frame), False)


async def conversation_left(user: Any, topic: str, match) -> None:
    """A socket left the conversation: note "last seen"; the last one also stops typing."""
    conversation_id = int(match[1])
    await on_sync_thread(
        services.participant_seen, conversation_id=conversation_id, user_id=user.pk
    )
    if not hub.presence.is_present(topic, str(user.pk)):
        await asignal(topic=topic, event=TYPING, user=user.pk, typing=False)
