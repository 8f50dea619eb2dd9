"""`/api/bookings/email-settings/`: how the caller hears of reservations at their businesses
by email, one email each (`each`) or one a day (`daily_digest`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tidewire.rest import StrictSerializer

from .. import selectors, services
from ..models import OwnerEmailSettings


class EmailSettingsInput(StrictSerializer):
    delivery = serializers.ChoiceField(
        choices=OwnerEmailSettings.Delivery.choices,
        help_text="`each`: an email per reservation made or cancelled (an import: one); "
        "`daily_digest`: one email a day listing them. Customers' confirmations always go at once.",
    )


class EmailSettingsApi(APIView):
    @extend_schema(responses=EmailSettingsInput)
    def get(self, request: Request) -> Response:
        """The caller's choice (`each` until they choose)."""
        return Response({"delivery": selectors.owner_email_delivery(owner_id=request.user.pk)})

    @extend_schema(request=EmailSettingsInput, responses=EmailSettingsInput)
    def put(self, request: Request) -> Response:
        """Choose; facts already scheduled go as they were scheduled."""
        serializer = EmailSettingsInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivery = serializer.validated_data["delivery"]
        services.owner_email_settings_set(owner_id=request.user.pk, delivery=delivery)
        return Response({"delivery": delivery})
