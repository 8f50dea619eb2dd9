"""REST API of the chat (BRIEF, Chat): conversations, messages, read and delivery markers.

A conversation the caller does not take part in is 404, never 403: its existence
is not told to strangers.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.listings.models import Listing
from tidewire.openapi import text_pattern, text_schema
from tidewire.parsers import JSONParser
from tidewire.rest import ServiceChecked, StrictSerializer, read_query, stream_position
from tidewire.text import TextField

from . import archive, selectors, services
from .events import SENT, conversation_summary, delivery_status, message_snapshot
from .frames import SEND_SCOPE
from .models import BODY_MAX_LENGTH, Conversation, Participant
from .topics import conversation_topic, inbox_topic

MAX_ID = 2**63 - 1


class MessageInput(StrictSerializer):
    # Types and lengths are checked by the service, as for socket frames: one set of rules.
    body = ServiceChecked(
        schema=text_schema(max_length=BODY_MAX_LENGTH, multiline=True),
        help_text="1 to 5,000 characters after trimming.",
    )
    client_id = ServiceChecked(
        schema={"type": "string", "pattern": services.CLIENT_ID.pattern},
        help_text="The sender's own id for this message (e.g. a UUID): a retry with the same "
        "one returns the stored message.",
    )


class MarkInput(StrictSerializer):
    up_to = serializers.IntegerField(min_value=0, max_value=MAX_ID)


def _conversation_or_404(user_id: int, conversation_id: int) -> Conversation:
    try:
        return selectors.conversation_for(user_id=user_id, conversation_id=conversation_id)
    except Conversation.DoesNotExist:
        raise NotFound(f"No conversation with id {conversation_id}.") from None


def _invalid(error: services.ChatError) -> ValidationError:
    return ValidationError({error.field: [error.message]})


def summaries(
    user_id: int, search: str | None = None, archived: bool | None = None
) -> list[dict[str, Any]]:
    """The user's conversation list, newest activity first (only archived ones, or none)."""
    rows = list(selectors.conversation_rows(user_id=user_id, search=search, archived=archived))
    others = selectors.other_markers(
        conversation_ids=[row.conversation_id for row in rows], user_id=user_id
    )
    return [_summary(row, others.get(row.conversation_id), user_id) for row in rows]


def _summary(row: Participant, other: Participant | None, user_id: int) -> dict[str, Any]:
    conversation = row.conversation
    last = conversation.last_message
    markers = {p.user_id: p for p in (row, other) if p is not None}
    other_user = conversation.seller if user_id == conversation.buyer_id else conversation.buyer
    return conversation_summary(
        conversation,
        user_id=user_id,
        unread_count=row.unread,
        other_username=other_user.get_username(),
        last_status=delivery_status(last, markers) if last is not None else SENT,
        archived=row.archived_at is not None,
    )


def summary_of(conversation_id: int, user_id: int) -> dict[str, Any]:
    """One row of the user's list."""
    rows = selectors.conversation_rows(user_id=user_id).filter(conversation_id=conversation_id)
    row = rows.get()
    other = selectors.other_markers(conversation_ids=[conversation_id], user_id=user_id)
    return _summary(row, other.get(conversation_id), user_id)


class ConversationOpenApi(APIView):
    @extend_schema(
        request=None,
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, listing_id: int) -> Response:
        """Open the one conversation of this listing and the caller (201 new, 200 existing).

        400 naming `listing` for the listing's own seller; 404 for no such listing.
        """
        try:
            conversation, created = services.conversation_open(
                listing_id=listing_id, buyer=request.user
            )
        except Listing.DoesNotExist:
            raise NotFound(f"No listing with id {listing_id}.") from None
        except services.ChatError as error:
            raise _invalid(error) from None
        return Response(
            summary_of(conversation.pk, request.user.pk),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


SEARCH_MAX_LENGTH = 100


class ConversationQuery(serializers.Serializer):
    search = TextField(required=False, allow_blank=True, max_length=SEARCH_MAX_LENGTH)


class ConversationListApi(APIView):
    @extend_schema(
        operation_id="conversations_list",
        parameters=[
            OpenApiParameter(
                "search",
                {"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": text_pattern()},
                description="listing title, person or message text",
            ),
            OpenApiParameter("archived", bool, description="only archived (true) or not (false)"),
        ],
        responses={200: {"type": "array", "items": {"type": "object"}}},
    )
    def get(self, request: Request) -> Response:
        """The caller's conversations, newest activity first, with unread counts.

        The headers give the caller's inbox topic and offset: subscribe from it to
        get every change after this read.
        """
        position = stream_position(inbox_topic(request.user.pk))  # before the data
        # Checked: a NUL reached PostgreSQL and failed there.
        search = read_query(ConversationQuery, request).get("search") or None
        archived = request.query_params.get("archived")
        if archived not in (None, "true", "false"):
            raise ValidationError({"archived": ["Expected true or false."]})
        only = None if archived is None else archived == "true"
        return Response(summaries(request.user.pk, search, only), headers=position)


class ConversationDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, conversation_id: int) -> Response:
        """One conversation as a row of the caller's list."""
        _conversation_or_404(request.user.pk, conversation_id)
        return Response(summary_of(conversation_id, request.user.pk))


class ArchiveApi(APIView):
    """Archive a conversation for the caller (POST) or bring it back (DELETE)."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, conversation_id: int) -> Response:
        """Archive: out of the caller's list until a new message in it (200, the row)."""
        return self._set(request, conversation_id, archived=True)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def delete(self, request: Request, conversation_id: int) -> Response:
        """Unarchive (200, the row)."""
        return self._set(request, conversation_id, archived=False)

    def _set(self, request: Request, conversation_id: int, *, archived: bool) -> Response:
        try:
            archive.conversation_archive(
                conversation_id=conversation_id, user_id=request.user.pk, archived=archived
            )
        except Participant.DoesNotExist:
            raise NotFound(f"No conversation with id {conversation_id}.") from None
        return Response(summary_of(conversation_id, request.user.pk))


class MessageListApi(APIView):
    # JSON, or multipart for photos (BRIEF: up to 5 files named `images`).
    parser_classes = [JSONParser, MultiPartParser]

    @property
    def throttle_scope(self) -> str | None:
        # Sending is limited per user (shared with sockets); reading history is not.
        return SEND_SCOPE if self.request.method == "POST" else None

    @extend_schema(
        operation_id="conversations_messages_list",
        parameters=[
            OpenApiParameter(
                "before",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                description="only messages older than this id",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": selectors.HISTORY_PAGE_MAX},
                description=f"page size (default {selectors.HISTORY_PAGE})",
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        """Messages newest first, a page at a time: `next` is the URL of the older page."""
        position = stream_position(conversation_topic(conversation_id))  # before the data
        _conversation_or_404(request.user.pk, conversation_id)
        before = _query_int(request, "before", 1, MAX_ID)
        limit = (
            _query_int(request, "limit", 1, selectors.HISTORY_PAGE_MAX) or selectors.HISTORY_PAGE
        )
        messages, more = selectors.message_page(
            conversation_id=conversation_id, before=before, limit=limit
        )
        markers = selectors.participants(conversation_id=conversation_id)
        results = [message_snapshot(m, status=delivery_status(m, markers)) for m in messages]
        next_url = None
        if more:
            path = reverse("chat-messages", kwargs={"conversation_id": conversation_id})
            next_url = request.build_absolute_uri(f"{path}?before={messages[-1].pk}&limit={limit}")
        return Response({"results": results, "next": next_url}, headers=position)

    @extend_schema(
        request=MessageInput,
        # 409: the client_id was used for another message.
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        """Send a message (201); the same `client_id` again answers 200 with the stored one.

        JSON `{"body", "client_id"}`, or multipart with `client_id`, up to 5 files
        named `images` (JPEG, PNG or WebP, 10 MB each) and `body` optional; a
        refused image is 400 naming `images`.

        409 when the client_id was used for a different message; 403 when either
        participant blocked the other (nothing is stored or delivered).
        """
        if request.content_type.startswith("multipart/"):
            fields = _multipart_message(request)
        else:
            serializer = MessageInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            fields = serializer.validated_data
        try:
            message, created = services.message_send(
                conversation_id=conversation_id, sender=request.user, **fields
            )
        except Conversation.DoesNotExist:
            raise NotFound(f"No conversation with id {conversation_id}.") from None
        except services.ClientIdReused as error:
            return Response({error.field: [error.message]}, status=status.HTTP_409_CONFLICT)
        except services.Blocked as error:
            return Response({"detail": error.message}, status=status.HTTP_403_FORBIDDEN)
        except services.ChatError as error:
            raise _invalid(error) from None
        markers = selectors.participants(conversation_id=conversation_id)
        snapshot = message_snapshot(message, status=delivery_status(message, markers))
        return Response(snapshot, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


MULTIPART_FIELDS = {"body", "client_id", "images"}


def _multipart_message(request: Request) -> dict[str, Any]:
    """A send's fields from a multipart body: body (optional with images), client_id, images."""
    unknown = sorted(set(request.data.keys()) - MULTIPART_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in unknown})
    if "images" in request.POST:
        raise ValidationError({"images": ["images must be files."]})
    return {
        "body": request.data.get("body"),
        "client_id": request.data.get("client_id"),
        "images": request.FILES.getlist("images"),
    }


def _query_int(request: Request, name: str, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 19 or not low <= int(raw) <= high:
        raise ValidationError({name: [f"Expected an integer from {low} to {high}."]})
    return int(raw)


class MarkApi(APIView):
    """Move the caller's read (or delivered) marker forward; never back."""

    read = True

    @extend_schema(request=MarkInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, conversation_id: int) -> Response:
        """Mark the other side's messages up to `up_to` (a message id) read or delivered."""
        serializer = MarkInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            participant, _moved = services.conversation_mark(
                conversation_id=conversation_id,
                user_id=request.user.pk,
                up_to=serializer.validated_data["up_to"],
                read=self.read,
            )
        except Participant.DoesNotExist:
            raise NotFound(f"No conversation with id {conversation_id}.") from None
        return Response(
            {
                "conversation": conversation_id,
                "delivered_up_to": participant.delivered_up_to,
                "read_up_to": participant.read_up_to,
                "unread_count": selectors.unread_count(
                    conversation_id=conversation_id,
                    user_id=request.user.pk,
                    read_up_to=participant.read_up_to,
                ),
            }
        )
