"""`/api/reservations/` and an import into one business: super admins see all, an owner those
of their businesses. Another owner's reservation is 404; booking into another owner's
business is 400 naming `business`, with the words used for one that does not exist."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.roles import is_super_admin
from apps.audit.services import Actor
from tidewire.rest import (
    ServiceChecked,
    StrictSerializer,
    newest_first_schema,
    paginated,
    read_query,
    stream_position,
)

from .. import selectors, services
from ..events import reservation_snapshot
from ..models import Business, Reservation
from ..topics import DASHBOARD_TOPIC, business_topic
from .businesses import business_or_404
from .inputs import (
    NewestFirst,
    ReservationFields,
    ReservationFilter,
    ReservationInput,
    service_refused,
)

# Errors listed for a refused import: enough to fix a file by, not a 5,000-entry answer.
IMPORT_ERRORS_SHOWN = 50


class ReservationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    business = serializers.IntegerField()
    customer_name = serializers.CharField()
    customer_email = serializers.EmailField()
    service = serializers.CharField()
    starts_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Reservation.Status.choices)


def _reservation_or_404(request: Request, reservation_id: int) -> Reservation:
    try:
        return selectors.reservations_visible_to(request.user).get(pk=reservation_id)
    except Reservation.DoesNotExist:
        raise NotFound(f"No reservation with id {reservation_id}.") from None


def _no_business(business_id: int) -> ValidationError:
    return ValidationError({"business": [f"No business with id {business_id}."]})


class ReservationListApi(APIView):
    @newest_first_schema("reservations_list", ReservationOutput, filters=ReservationFilter)
    def get(self, request: Request) -> Response:
        """Reservations newest first (`?business=`, `?status=`); with `?business=` of a visible
        business the headers give its topic's offset, else a super admin's the dashboard's."""
        query = read_query(ReservationFilter, request)
        user = request.user
        business_id = query.get("business")
        position = {}
        if business_id is not None:
            if selectors.businesses_visible_to(user).filter(pk=business_id).exists():
                position = stream_position(business_topic(business_id))
        elif is_super_admin(user):
            position = stream_position(DASHBOARD_TOPIC)
        reservations = selectors.reservations_visible_to(user)
        if business_id is not None:
            reservations = reservations.filter(business_id=business_id)
        if query.get("status"):  # "" is any
            reservations = reservations.filter(status=query["status"])
        return paginated(
            NewestFirst(), reservations, request, self, reservation_snapshot, headers=position
        )

    @extend_schema(request=ReservationInput, responses={201: ReservationOutput})
    def post(self, request: Request) -> Response:
        """Book a reservation at a business the caller may see; broadcast as
        `reservation_created`, the owner and the customer emailed."""
        serializer = ReservationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        business_id = values.pop("business")
        if not selectors.businesses_visible_to(request.user).filter(pk=business_id).exists():
            raise _no_business(business_id)
        try:
            reservation = services.reservation_create(
                business_id=business_id, **values, actor=Actor.api(request)
            )
        except Business.DoesNotExist:  # deleted since the check
            raise _no_business(business_id) from None
        except ValueError as error:
            raise service_refused(error) from None
        return Response(reservation_snapshot(reservation), status=status.HTTP_201_CREATED)


class ReservationPatch(ReservationFields):
    """A reservation's own fields; `business` cannot change (400 saying so, not just
    "Unknown field."), so the schema does not offer it."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict) and "business" in data:
            raise ValidationError({"business": ["A reservation cannot move to another business."]})
        return super().to_internal_value(data)


class ReservationDetailApi(APIView):
    @extend_schema(responses=ReservationOutput)
    def get(self, request: Request, reservation_id: int) -> Response:
        return Response(reservation_snapshot(_reservation_or_404(request, reservation_id)))

    @extend_schema(request=ReservationPatch(partial=True), responses=ReservationOutput)
    def patch(self, request: Request, reservation_id: int) -> Response:
        """Change its status, time, service or customer; broadcast as `reservation_updated`.
        Cancelling it (`"status": "cancelled"`) emails the owner and the customer."""
        _reservation_or_404(request, reservation_id)
        serializer = ReservationPatch(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            reservation = services.reservation_update(
                reservation_id=reservation_id,
                changes=serializer.validated_data,
                actor=Actor.api(request),
            )
        except Reservation.DoesNotExist:
            raise NotFound(f"No reservation with id {reservation_id}.") from None
        except ValueError as error:
            raise service_refused(error) from None
        return Response(reservation_snapshot(reservation))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, reservation_id: int) -> Response:
        """Delete it; broadcast as `reservation_deleted` with its last state."""
        _reservation_or_404(request, reservation_id)
        try:
            services.reservation_delete(reservation_id=reservation_id, actor=Actor.api(request))
        except Reservation.DoesNotExist:
            raise NotFound(f"No reservation with id {reservation_id}.") from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImportInput(StrictSerializer):
    rows = serializers.ListField(
        # Each row is checked by _rows, naming `rows[i].field`.
        child=ServiceChecked(serializer=ReservationFields),
        min_length=1,
        max_length=services.IMPORT_MAX,
        help_text=f"1 to {services.IMPORT_MAX} reservations, each with a reservation's fields "
        "(`customer_name`, `customer_email`, `service`, `starts_at`, optional `status`).",
    )


def _rows(rows: list) -> list[dict]:
    """Each row checked as a reservation; 400 naming `rows[i].field` for the first bad ones."""
    cleaned, errors = [], {}
    for index, row in enumerate(rows):
        serializer = ReservationFields(data=row)
        if serializer.is_valid():
            cleaned.append(serializer.validated_data)
            continue
        for field, messages in serializer.errors.items():
            name = f"rows[{index}]" if field == "non_field_errors" else f"rows[{index}].{field}"
            errors[name] = messages
        if len(errors) >= IMPORT_ERRORS_SHOWN:
            break
    if errors:
        raise ValidationError(errors)
    return cleaned


class ReservationImportApi(APIView):
    @extend_schema(
        request=ImportInput,
        responses={
            201: inline_serializer(
                "ReservationImport",
                {
                    "imported": serializers.IntegerField(),
                    "ids": serializers.ListField(child=serializers.IntegerField()),
                },
            )
        },
    )
    def post(self, request: Request, business_id: int) -> Response:
        """Book many reservations at once, all or none (a bad row: 400 naming
        `rows[i].field`, nothing stored). Each is broadcast as `reservation_created`; each
        customer is emailed, and the owner and super admins hear of the import once."""
        business_or_404(request, business_id)
        serializer = ImportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = _rows(serializer.validated_data["rows"])
        try:
            reservations = services.reservations_import(
                business_id=business_id, rows=rows, actor=Actor.api(request)
            )
        except Business.DoesNotExist:
            raise NotFound(f"No business with id {business_id}.") from None
        except ValueError as error:
            raise service_refused(error) from None
        return Response(
            {"imported": len(reservations), "ids": [r.pk for r in reservations]},
            status=status.HTTP_201_CREATED,
        )
