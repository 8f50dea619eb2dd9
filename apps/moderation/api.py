"""REST API of moderation (BRIEF, marketplace extras): blocks, and reports of messages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.chat.models import Message
from tidewire.events import iso_timestamp
from tidewire.openapi import text_schema
from tidewire.rest import ServiceChecked, StrictSerializer

from . import selectors, services
from .models import REASON_MAX_LENGTH, Block, Report

MAX_ID = 2**63 - 1
OBJECTS = {"type": "array", "items": {"type": "object"}}


class BlockInput(StrictSerializer):
    user = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="whom to block")


class ReportInput(StrictSerializer):
    # Type and length are checked by the service: one set of rules.
    reason = ServiceChecked(
        schema=text_schema(max_length=REASON_MAX_LENGTH, multiline=True),
        help_text="Why: 1 to 1,000 characters.",
    )


def _invalid(error: services.ModerationError) -> ValidationError:
    return ValidationError({error.field: [error.message]})


def block_json(block: Block) -> dict[str, Any]:
    return {
        "user": block.blocked_id,
        "username": block.blocked.get_username(),
        "created_at": iso_timestamp(block.created_at),
    }


def report_json(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "message": report.message_id,
        "reason": report.reason,
        "status": report.status,
        "created_at": iso_timestamp(report.created_at),
    }


class BlockListApi(APIView):
    @extend_schema(operation_id="blocks_list", responses={200: OBJECTS})
    def get(self, request: Request) -> Response:
        """The people the caller blocked, newest first."""
        return Response([block_json(b) for b in selectors.blocks_made(user_id=request.user.pk)])

    @extend_schema(
        request=BlockInput, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request) -> Response:
        """Block a user (201; 200 if already blocked): no new messages or offers either way.

        400 naming `user` for oneself or an unknown id.
        """
        serializer = BlockInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            block, created = services.block_create(
                blocker=request.user, blocked_id=serializer.validated_data["user"]
            )
        except services.ModerationError as error:
            raise _invalid(error) from None
        return Response(
            block_json(block), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class BlockDetailApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        """Unblock (204); 404 when the caller had not blocked that user."""
        if not services.block_delete(blocker=request.user, blocked_id=user_id):
            raise NotFound(f"You have not blocked user {user_id}.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageReportApi(APIView):
    @extend_schema(
        request=ReportInput, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT}
    )
    def post(self, request: Request, conversation_id: int, message_id: int) -> Response:
        """Report the other participant's message with a reason (201; again: 200, the first).

        It waits in the moderation queue (Django admin, super admins). 400 naming
        `reason` or `message` (one's own); 404 for a non-participant.
        """
        serializer = ReportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report, created = services.report_create(
                reporter=request.user,
                conversation_id=conversation_id,
                message_id=message_id,
                reason=serializer.validated_data["reason"],
            )
        except Message.DoesNotExist:
            raise NotFound(f"No message with id {message_id}.") from None
        except services.ModerationError as error:
            raise _invalid(error) from None
        return Response(
            report_json(report), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
