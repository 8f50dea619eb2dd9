"""The values businesses and reservations take, checked and normalized for the services.

Each cleaner raises ValueError saying what is wrong; `clean` prefixes it with
the field's name, so every caller (REST, admin, the shell) reports the field.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, validate_email
from django.utils import timezone

from tidewire.text import clean_fields, clean_line, clean_text

from .models import (
    NAME_MAX_LENGTH,
    SERVICE_MAX_LENGTH,
    SUBDOMAIN_MAX_LENGTH,
    SUBDOMAIN_PATTERN,
    Reservation,
)

BUSINESS_FIELDS = ("name", "subdomain", "owner")
RESERVATION_FIELDS = ("customer_name", "customer_email", "service", "starts_at", "status")


def _line(max_length: int) -> Callable[[Any], str]:
    return functools.partial(clean_line, max_length=max_length)


_SUBDOMAIN = RegexValidator(SUBDOMAIN_PATTERN)


def _subdomain(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    text = value.strip().lower()
    if len(text) > SUBDOMAIN_MAX_LENGTH:
        raise ValueError(f"has more than {SUBDOMAIN_MAX_LENGTH} characters")
    try:
        _SUBDOMAIN(text)
    except ValidationError:
        raise ValueError(
            "may hold lower-case letters, digits and hyphens, not at either end"
        ) from None
    return text


def _owner(value: Any) -> Any:
    user_model = get_user_model()
    if isinstance(value, user_model):
        owner = value
    elif isinstance(value, int) and not isinstance(value, bool):
        owner = user_model.objects.filter(pk=value).first()
        if owner is None:
            raise ValueError(f"no user with id {value}")
    else:
        raise ValueError("must be a user or a user id")
    if not owner.is_active:
        raise ValueError("is not an active user")
    return owner


def _email(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    # Django's validator accepts ESC and BEL in a quoted local part and U+202E in the
    # domain: refused as in every other name (tidewire.text).
    text = clean_text(value).strip()
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError("is not a valid email address") from None
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _starts_at(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError("must be a date and time")
    if timezone.is_naive(value):
        raise ValueError("must say its time zone")
    return value


def _status(value: Any) -> str:
    if value not in Reservation.Status.values:
        raise ValueError(f"must be one of {', '.join(Reservation.Status.values)}")
    return value


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": _line(NAME_MAX_LENGTH),
    "subdomain": _subdomain,
    "owner": _owner,
    "customer_name": _line(NAME_MAX_LENGTH),
    "customer_email": _email,
    "service": _line(SERVICE_MAX_LENGTH),
    "starts_at": _starts_at,
    "status": _status,
}


def clean(values: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """Values as stored; ValueError naming the field (or those not in `allowed`)."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    return clean_fields(values, _CLEANERS)
