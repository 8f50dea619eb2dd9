"""REST API for user records (`/api/users/`): validate, call a service, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .events import user_snapshot
from .models import NAME_MAX_LENGTH, UserRecord


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses a body that is not an object or names a field the endpoint does not take."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class UserRecordInput(StrictSerializer):
    first_name = StrictCharField(max_length=NAME_MAX_LENGTH, trim_whitespace=True)
    last_name = StrictCharField(max_length=NAME_MAX_LENGTH, trim_whitespace=True)


class UserRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance: UserRecord) -> dict[str, Any]:
        return user_snapshot(instance)


def _get_or_404(record_id: int) -> UserRecord:
    try:
        return selectors.user_record_get(record_id=record_id)
    except UserRecord.DoesNotExist:
        raise NotFound(f"No user record with id {record_id}.") from None


class RecordsApi(APIView):
    """Anyone logged in reads; creating, editing and deleting need the model permission."""

    permission_classes = [DjangoModelPermissions]
    queryset = UserRecord.objects.all()  # tells DjangoModelPermissions the model


class UserListApi(RecordsApi):
    @extend_schema(responses=UserRecordOutput(many=True))
    def get(self, request: Request) -> Response:
        """List every user record, oldest first."""
        records = selectors.user_record_list()
        return Response([user_snapshot(record) for record in records])

    @extend_schema(request=UserRecordInput, responses={201: UserRecordOutput})
    def post(self, request: Request) -> Response:
        """Create a user record; it is broadcast as `user_update` with action `create`."""
        serializer = UserRecordInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.user_record_create(**serializer.validated_data)
        return Response(user_snapshot(record), status=status.HTTP_201_CREATED)


class UserDetailApi(RecordsApi):
    @extend_schema(responses=UserRecordOutput)
    def get(self, request: Request, record_id: int) -> Response:
        """One user record."""
        return Response(user_snapshot(_get_or_404(record_id)))

    @extend_schema(
        request=inline_serializer(
            "UserRecordPatch",
            {
                "first_name": serializers.CharField(required=False),
                "last_name": serializers.CharField(required=False),
            },
        ),
        responses=UserRecordOutput,
    )
    def patch(self, request: Request, record_id: int) -> Response:
        """Change some fields; broadcast as `user_update` with action `update`."""
        _get_or_404(record_id)
        serializer = UserRecordInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            record = services.user_record_update(
                record_id=record_id, changes=serializer.validated_data
            )
        except UserRecord.DoesNotExist:
            raise NotFound(f"No user record with id {record_id}.") from None
        return Response(user_snapshot(record))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, record_id: int) -> Response:
        """Delete a record; broadcast as `user_update` with action `delete`."""
        try:
            services.user_record_delete(record_id=record_id)
        except UserRecord.DoesNotExist:
            raise NotFound(f"No user record with id {record_id}.") from None
        return Response(status=status.HTTP_204_NO_CONTENT)
