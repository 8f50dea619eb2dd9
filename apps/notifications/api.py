"""REST API of the notification center (BRIEF, Notifications): the feed, the count, marks.

Each user sees only their own notifications; another's id is 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tidewire.rest import (
    CURSOR_PARAMETER,
    PAGE_SIZE_PARAMETER,
    NewestFirstPagination,
    StrictSerializer,
    paginated,
    read_query,
    stream_position,
)

from . import selectors, services
from .events import notification_snapshot
from .kinds import UnknownKind, all_kinds
from .models import Channel, Notification
from .topics import notifications_topic

MAX_ID = 2**63 - 1
MAX_IDS = 500


PREFERENCES = {"type": "array", "items": {"type": "object"}}
# Apps register their kinds when they are ready, before the URLs import this module (the
# schema's list); the filters read the registry when they check a request.
KIND_NAMES = [kind.name for kind in all_kinds()]


class KindField(serializers.ChoiceField):
    """A registered notification kind."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=KIND_NAMES, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        self.choices = [kind.name for kind in all_kinds()]
        return super().to_internal_value(data)


class FeedFilter(StrictSerializer):
    kind = KindField(required=False, allow_blank=True)  # "": all
    unread = serializers.BooleanField(required=False, default=False)
    archived = serializers.BooleanField(required=False, default=False)
    # The paginator's, which checks them.
    cursor = serializers.CharField(required=False, allow_blank=True)
    page_size = serializers.CharField(required=False, allow_blank=True)


class FeedPagination(NewestFirstPagination):
    ordering = ("-id",)


class ReadInput(StrictSerializer):
    up_to = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        allow_empty=False,
        max_length=MAX_IDS,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("up_to" in attrs) == ("ids" in attrs):
            raise ValidationError({"non_field_errors": ['Give either "up_to" or "ids".']})
        return attrs


class PreferenceInput(StrictSerializer):
    kind = KindField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    enabled = serializers.BooleanField()


class NotificationListApi(APIView):
    @extend_schema(
        operation_id="notifications_list",
        parameters=[
            OpenApiParameter("kind", enum=["", *KIND_NAMES], description="only this kind"),
            OpenApiParameter("unread", bool, description="only unread ones"),
            OpenApiParameter("archived", bool, description="the archived ones instead"),
            CURSOR_PARAMETER,
            PAGE_SIZE_PARAMETER,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        """The caller's notifications, newest first, a page at a time."""
        query = read_query(FeedFilter, request)
        position = stream_position(notifications_topic(request.user.pk))  # before the data
        feed = selectors.notification_feed(
            recipient_id=request.user.pk,
            kind=query.get("kind") or None,
            unread_only=query["unread"],
            archived=query["archived"],
        )
        return paginated(
            FeedPagination(), feed, request, self, notification_snapshot, headers=position
        )


class UnreadCountApi(APIView):
    @extend_schema(
        responses=inline_serializer("UnreadCount", {"unread_count": serializers.IntegerField()})
    )
    def get(self, request: Request) -> Response:
        """`{"unread_count": n}`; the headers give the topic and offset to follow from."""
        position = stream_position(notifications_topic(request.user.pk))
        count = selectors.unread_count(recipient_id=request.user.pk)
        return Response({"unread_count": count}, headers=position)


class ReadApi(APIView):
    @extend_schema(request=ReadInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        """Mark read everything up to `up_to` (ones that arrive later stay unread), or `ids`."""
        serializer = ReadInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = services.notifications_read(
            recipient_id=request.user.pk, **serializer.validated_data
        )
        return Response(
            {"read": changed, "unread_count": selectors.unread_count(recipient_id=request.user.pk)}
        )


class ArchiveApi(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, notification_id: int) -> Response:
        """Archive one notification: out of the bell and the unread count, kept in the archive."""
        try:
            notification = services.notification_archive(
                recipient_id=request.user.pk, notification_id=notification_id
            )
        except Notification.DoesNotExist:
            raise NotFound(f"No notification with id {notification_id}.") from None
        return Response(notification_snapshot(notification))


class PreferencesApi(APIView):
    @extend_schema(responses={200: PREFERENCES})
    def get(self, request: Request) -> Response:
        """Every kind with whether it reaches the caller in the app and by email."""
        return Response(_preferences(request.user.pk))

    @extend_schema(request=PreferenceInput, responses={200: PREFERENCES})
    def post(self, request: Request) -> Response:
        """Turn one kind on or off on one channel; 400 for an essential kind turned off."""
        serializer = PreferenceInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.preference_set(user_id=request.user.pk, **serializer.validated_data)
        except UnknownKind as error:
            raise ValidationError({"kind": [str(error)]}) from None
        except services.EssentialKind as error:
            raise ValidationError({"enabled": [str(error)]}) from None
        except ValueError as error:
            raise ValidationError({"channel": [str(error)]}) from None
        return Response(_preferences(request.user.pk), status=status.HTTP_200_OK)


def _preferences(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind.name,
            "label": kind.label,
            "essential": kind.essential,
            "channels": {
                channel: selectors.preference_enabled(
                    user_id=user_id, kind=kind.name, channel=channel
                )
                for channel in kind.channels
            },
        }
        for kind in all_kinds()
    ]
