"""REST API for user records (`/api/users/`): validate, call a service, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tidewire.rest import (
    IF_MATCH_PATTERN,
    StrictSerializer,
    etag,
    if_match_version,
    precondition_failed,
    stream_position,
)
from tidewire.text import TextField

from . import selectors, services
from .events import user_snapshot
from .models import NAME_MAX_LENGTH, UserRecord
from .topics import USERS_TOPIC


class UserRecordInput(StrictSerializer):
    # Strings only, in NFC, without control or direction characters (tidewire.text).
    first_name = TextField(max_length=NAME_MAX_LENGTH, trim_whitespace=True)
    last_name = TextField(max_length=NAME_MAX_LENGTH, trim_whitespace=True)


class UserRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance: UserRecord) -> dict[str, Any]:
        return user_snapshot(instance)


def _not_found(record_id: int) -> NotFound:
    return NotFound(f"No user record with id {record_id}.")


def _get_or_404(record_id: int) -> UserRecord:
    try:
        return selectors.user_record_get(record_id=record_id)
    except UserRecord.DoesNotExist:
        raise _not_found(record_id) from None


class RecordsApi(APIView):
    """Anyone logged in reads; creating, editing and deleting need the model permission."""

    permission_classes = [DjangoModelPermissions]
    queryset = UserRecord.objects.all()  # tells DjangoModelPermissions the model


class UserListApi(RecordsApi):
    @extend_schema(responses=UserRecordOutput(many=True))
    def get(self, request: Request) -> Response:
        """List every user record, oldest first; headers give the stream offset."""
        position = stream_position(USERS_TOPIC)  # before the data: no gap, see tidewire.rest
        records = [user_snapshot(record) for record in selectors.user_record_list()]
        return Response(records, headers=position)

    @extend_schema(request=UserRecordInput, responses={201: UserRecordOutput})
    def post(self, request: Request) -> Response:
        """Create a user record; it is broadcast as `user_update` with action `create`."""
        serializer = UserRecordInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.user_record_create(**serializer.validated_data)
        return Response(
            user_snapshot(record),
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(record.version)},
        )


IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": IF_MATCH_PATTERN},
    OpenApiParameter.HEADER,
    description='The ETag the client last saw, e.g. "3" (or W/"3", or *); a stale one gets '
    "412, another form 400.",
)


class UserDetailApi(RecordsApi):
    @extend_schema(responses=UserRecordOutput)
    def get(self, request: Request, record_id: int) -> Response:
        """One user record, with its version as ETag and the stream offset."""
        position = stream_position(USERS_TOPIC)
        record = _get_or_404(record_id)
        return Response(user_snapshot(record), headers={**position, "ETag": etag(record.version)})

    @extend_schema(
        request=inline_serializer(
            "UserRecordPatch",
            {
                "first_name": serializers.CharField(required=False),
                "last_name": serializers.CharField(required=False),
            },
        ),
        parameters=[IF_MATCH],
        responses={200: UserRecordOutput, 412: OpenApiTypes.OBJECT},
    )
    def patch(self, request: Request, record_id: int) -> Response:
        """Change some fields; broadcast as `user_update` with action `update`.

        With If-Match, the change applies only to that version (else 412 and the
        current state); without it, the last write wins, as in the seeds.
        """
        expected = if_match_version(request)
        serializer = UserRecordInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            record = services.user_record_update(
                record_id=record_id, changes=serializer.validated_data, expected_version=expected
            )
        except UserRecord.DoesNotExist:
            raise _not_found(record_id) from None
        except services.VersionConflict as conflict:
            return precondition_failed(user_snapshot(conflict.record))
        return Response(user_snapshot(record), headers={"ETag": etag(record.version)})

    @extend_schema(parameters=[IF_MATCH], responses={204: None, 412: OpenApiTypes.OBJECT})
    def delete(self, request: Request, record_id: int) -> Response:
        """Delete a record; broadcast as `user_update` with action `delete`."""
        expected = if_match_version(request)
        try:
            services.user_record_delete(record_id=record_id, expected_version=expected)
        except UserRecord.DoesNotExist:
            raise _not_found(record_id) from None
        except services.VersionConflict as conflict:
            return precondition_failed(user_snapshot(conflict.record))
        return Response(status=status.HTTP_204_NO_CONTENT)
