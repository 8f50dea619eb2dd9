"""What the bookings API takes: bodies and filters, checked field by field, and the page shape."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from tidewire.rest import NewestFirstPagination, StrictSerializer
from tidewire.text import TextField, TextValidator

from ..models import (
    NAME_MAX_LENGTH,
    SERVICE_MAX_LENGTH,
    SUBDOMAIN_MAX_LENGTH,
    SUBDOMAIN_PATTERN,
    Reservation,
)

MAX_ID = 2**63 - 1  # a bigint: larger ids cannot exist, and the database would refuse them
EMAIL_MAX_LENGTH = 254  # EmailField's, RFC 5321's path limit


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with its offset (`Z`, `+01:00`): a time without one is refused, never guessed.

    DRF would read a naive time in the server's time zone; a customer booked at
    14:00 in Lisbon must not become 14:00 UTC without anyone noticing.
    """

    default_error_messages = {
        "naive": "Must say its time zone, e.g. 2026-11-23T14:00:00Z or 2026-11-23T15:00:00+01:00.",
    }

    def to_internal_value(self, value: Any):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # well-formed but impossible (month 13): DRF says so below
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)


class BusinessInput(StrictSerializer):
    name = TextField(max_length=NAME_MAX_LENGTH, trim_whitespace=True)
    # The service checks the DNS-label pattern (and lower-cases), naming the field.
    subdomain = TextField(
        max_length=SUBDOMAIN_MAX_LENGTH,
        trim_whitespace=True,
        # What the service takes, which lower-cases it.
        validators=[RegexValidator(SUBDOMAIN_PATTERN.replace("a-z", "a-zA-Z"))],
    )
    owner = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A user id.")


class ReservationFields(StrictSerializer):
    """A reservation's own fields: a row of an import, and what a PATCH may change."""

    customer_name = TextField(max_length=NAME_MAX_LENGTH, trim_whitespace=True)
    customer_email = serializers.EmailField(
        max_length=EMAIL_MAX_LENGTH, validators=[TextValidator()]
    )
    service = TextField(max_length=SERVICE_MAX_LENGTH, trim_whitespace=True)
    starts_at = AwareDateTimeField()
    status = serializers.ChoiceField(choices=Reservation.Status.choices, required=False)


class ReservationInput(ReservationFields):
    business = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class ReservationFilter(serializers.Serializer):
    """The list's query parameters; others (`cursor`, `page_size`) belong to the paginator."""

    business = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    status = serializers.ChoiceField(
        choices=Reservation.Status.choices,
        required=False,
        allow_blank=True,  # "": any
    )


class NewestFirst(NewestFirstPagination):
    ordering = ("-created_at", "-id")


def service_refused(error: ValueError) -> ValidationError:
    """A service's ValueError ("<field> <what is wrong>") as a 400 naming that field."""
    text = str(error)
    field = text.split(" ", 1)[0].rstrip(":")
    return ValidationError({field: [text]})
