"""REST for a sender's second thoughts: PATCH and DELETE /api/conversations/<id>/messages/<id>/."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tidewire.openapi import text_schema
from tidewire.rest import ServiceChecked, StrictSerializer

from . import edits, selectors, services
from .events import delivery_status, message_snapshot
from .frames import SEND_SCOPE
from .models import BODY_MAX_LENGTH, Message

REFUSAL = OpenApiTypes.OBJECT


class MessageEditInput(StrictSerializer):
    patch_takes_every_field = True  # a PATCH replaces the body: it is required
    body = ServiceChecked(
        schema=text_schema(max_length=BODY_MAX_LENGTH, multiline=True),
        help_text="The new text: 1 to 5,000 characters after trimming.",
    )


class MessageDetailApi(APIView):
    """A sender's own message: edit its body or delete it for everyone (apps/chat/edits.py)."""

    throttle_scope = SEND_SCOPE  # a change costs what a send does, from the same budget

    # 409: past the edit window (TIDEWIRE_MESSAGE_EDIT_MINUTES).
    @extend_schema(request=MessageEditInput, responses={200: OpenApiTypes.OBJECT, 409: REFUSAL})
    def patch(self, request: Request, conversation_id: int, message_id: int) -> Response:
        """Edit the body within 15 minutes of sending: 200 with the message's new state.

        403 for the other participant's message, 409 past the window or once
        deleted, 404 for a non-participant or a message not in this conversation.
        """
        serializer = MessageEditInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._change(
            edits.message_edit,
            conversation_id=conversation_id,
            message_id=message_id,
            user=request.user,
            body=serializer.validated_data["body"],
        )

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 409: REFUSAL})
    def delete(self, request: Request, conversation_id: int, message_id: int) -> Response:
        """Delete for everyone within 15 minutes: 200 with the tombstone (`deleted`, body "")."""
        return self._change(
            edits.message_delete,
            conversation_id=conversation_id,
            message_id=message_id,
            user=request.user,
        )

    def _change(self, change, **arguments: Any) -> Response:
        try:
            message = change(**arguments)
        except Message.DoesNotExist:
            raise NotFound(f"No message with id {arguments['message_id']}.") from None
        except (edits.NotYours, services.Blocked) as error:
            return Response({"detail": error.message}, status=status.HTTP_403_FORBIDDEN)
        except edits.TooLate as error:
            return Response({"detail": error.message}, status=status.HTTP_409_CONFLICT)
        except services.ChatError as error:
            raise ValidationError({error.field: [error.message]}) from None
        markers = selectors.participants(conversation_id=message.conversation_id)
        return Response(message_snapshot(message, status=delivery_status(message, markers)))
