"""Writes to businesses and reservations. Each one, in its transaction, appends to the audit
log and stores its events on the dashboard topic and the business's own topic.

Every caller goes through here (the REST API, Django admin, jobs, the shell), so
every change is broadcast and audited whoever makes it. Values are checked here
too (ValueError naming the field), so no caller can store one the API refuses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import SHELL, Actor, audit_record, audit_record_many
from tidewire.events import EventType
from tidewire.publish import publish_all
from tidewire.text import InvalidText, clean_line

from .events import (
    BUSINESS_CREATED,
    BUSINESS_DELETED,
    BUSINESS_UPDATED,
    RESERVATION_CREATED,
    RESERVATION_DELETED,
    RESERVATION_UPDATED,
    business_snapshot,
    envelope,
    reservation_snapshot,
)
from .models import (
    NAME_MAX_LENGTH,
    SERVICE_MAX_LENGTH,
    SUBDOMAIN_MAX_LENGTH,
    SUBDOMAIN_PATTERN,
    Business,
    Reservation,
)
from .topics import DASHBOARD_TOPIC, business_topic

BUSINESS_FIELDS = ("name", "subdomain", "owner")
RESERVATION_FIELDS = ("customer_name", "customer_email", "service", "starts_at", "status")
IMPORT_MAX = 5000  # reservations one import may hold


class SubdomainTaken(ValueError):
    """Another business has that subdomain."""


# -- values -------------------------------------------------------------------


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
    text = value.strip()
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


def _clean(values: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    cleaned = {}
    for field, value in values.items():
        try:
            cleaned[field] = _CLEANERS[field](value)
        except (InvalidText, ValueError) as error:
            raise ValueError(f"{field} {error}") from None
    return cleaned


# -- messages and events --------------------------------------------------------


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _business_message(action: str, business: Business, changed: list[str] | None = None) -> str:
    if action == "created":
        return f"New business '{business.name}' created"
    if action == "updated":
        return f"Business '{business.name}' updated ({', '.join(changed or [])})"
    return f"Business '{business.name}' deleted"


def _reservation_message(
    action: str, reservation: Reservation, changed: list[str] | None = None
) -> str:
    at = f"'{reservation.business.name}'"
    who = f"{reservation.customer_name}, {reservation.service} on {_when(reservation.starts_at)}"
    if action == "created":
        return f"New reservation at {at}: {who}"
    if action == "deleted":
        return f"Reservation at {at} deleted: {who}"
    if changed == ["status"]:
        return f"Reservation at {at} {reservation.status}: {who}"
    return f"Reservation at {at} updated ({', '.join(changed or [])}): {who}"


def _audit_snapshot(obj: Business | Reservation) -> dict[str, Any]:
    """The object as the audit log keeps it: the event's fields, and a business's owner."""
    if isinstance(obj, Business):
        return {**business_snapshot(obj), "owner": obj.owner_id}
    return reservation_snapshot(obj)


def _audit_entry(
    event: EventType, obj: Business | Reservation, message: str, before: dict | None
) -> dict[str, Any]:
    """The audit entry of a change to `obj` (its state now is `after`, unless it is deleted)."""
    is_business = isinstance(obj, Business)
    return {
        "action": event.name,
        "object_type": "business" if is_business else "reservation",
        "object_id": obj.pk,
        "business_id": obj.pk if is_business else obj.business_id,
        "message": message,
        "before": before,
        "after": None if event in (BUSINESS_DELETED, RESERVATION_DELETED) else _audit_snapshot(obj),
    }


def _events(event: EventType, obj: Business | Reservation, message: str) -> list[tuple]:
    """The change's event on the dashboard's topic and on its business's."""
    if isinstance(obj, Business):
        fields = envelope("business", business_snapshot(obj), message)
        business_id = obj.pk
    else:
        fields = envelope("reservation", reservation_snapshot(obj), message)
        business_id = obj.business_id
    return [(DASHBOARD_TOPIC, event, fields), (business_topic(business_id), event, fields)]


def _record(
    actor: Actor,
    event: EventType,
    obj: Business | Reservation,
    message: str,
    before: dict[str, Any] | None,
) -> None:
    """Audit one change and store its events, in the caller's transaction."""
    audit_record(actor=actor, **_audit_entry(event, obj, message, before))
    publish_all(_events(event, obj, message))


# -- businesses -----------------------------------------------------------------


def business_create(*, name: str, subdomain: str, owner: Any, actor: Actor = SHELL) -> Business:
    """Create a business (ValueError naming a field; SubdomainTaken) and announce it."""
    values = _clean({"name": name, "subdomain": subdomain, "owner": owner}, BUSINESS_FIELDS)
    try:
        with transaction.atomic():
            business = Business.objects.create(**values)
            message = _business_message("created", business)
            _record(actor, BUSINESS_CREATED, business, message, None)
    except IntegrityError:
        if Business.objects.filter(subdomain=values["subdomain"]).exists():
            raise SubdomainTaken(f"subdomain {values['subdomain']!r} is taken") from None
        raise
    return business


def business_update(*, business_id: int, changes: dict[str, Any], actor: Actor = SHELL) -> Business:
    """Change name, subdomain or owner and announce it; changing nothing writes nothing.

    Raises Business.DoesNotExist, ValueError naming a field, or SubdomainTaken.
    """
    changes = _clean(changes, BUSINESS_FIELDS)
    try:
        with transaction.atomic():
            business = Business.objects.select_for_update().get(pk=business_id)
            before = _audit_snapshot(business)
            changed = [f for f, v in changes.items() if getattr(business, f) != v]
            if not changed:
                return business
            for field in changed:
                setattr(business, field, changes[field])
            business.save(update_fields=[*changed, "updated_at"])
            message = _business_message("updated", business, changed)
            _record(actor, BUSINESS_UPDATED, business, message, before)
    except IntegrityError:
        subdomain = changes.get("subdomain")
        if subdomain and Business.objects.filter(subdomain=subdomain).exclude(pk=business_id):
            raise SubdomainTaken(f"subdomain {subdomain!r} is taken") from None
        raise
    return business


def business_delete(*, business_id: int, actor: Actor = SHELL) -> None:
    """Delete a business with its reservations, and announce it (Business.DoesNotExist)."""
    with transaction.atomic():
        business = Business.objects.select_for_update().get(pk=business_id)
        message = _business_message("deleted", business)
        _record(actor, BUSINESS_DELETED, business, message, _audit_snapshot(business))
        business.delete()


# -- reservations -----------------------------------------------------------------


def _new_reservation(business: Business, values: dict[str, Any]) -> Reservation:
    reservation = Reservation(business=business, **values)
    if reservation.status == Reservation.Status.CANCELLED:
        reservation.cancelled_at = timezone.now()
    return reservation


def reservation_create(
    *,
    business_id: int,
    customer_name: str,
    customer_email: str,
    service: str,
    starts_at: datetime,
    status: str = Reservation.Status.PENDING,
    actor: Actor = SHELL,
) -> Reservation:
    """Book a reservation and announce it (Business.DoesNotExist; ValueError naming a field)."""
    [reservation] = reservations_import(
        business_id=business_id,
        rows=[
            {
                "customer_name": customer_name,
                "customer_email": customer_email,
                "service": service,
                "starts_at": starts_at,
                "status": status,
            }
        ],
        actor=actor,
    )
    return reservation


def reservations_import(
    *, business_id: int, rows: list[dict[str, Any]], actor: Actor = SHELL
) -> list[Reservation]:
    """Book many reservations at once (an import), all or none, each audited and announced.

    One transaction, a few statements whatever the number: rows are inserted,
    audited and their events stored in bulk. ValueError names the row and field
    (`rows[3].customer_email ...`) of the first value refused; nothing is written.
    """
    if not rows:
        return []
    if len(rows) > IMPORT_MAX:
        raise ValueError(f"rows: at most {IMPORT_MAX} reservations per import")
    cleaned = []
    for index, row in enumerate(rows):
        missing = {"customer_name", "customer_email", "service", "starts_at"} - set(row)
        if missing:
            raise ValueError(f"rows[{index}]: missing {', '.join(sorted(missing))}")
        try:
            cleaned.append(
                _clean({"status": Reservation.Status.PENDING, **row}, RESERVATION_FIELDS)
            )
        except ValueError as error:
            raise ValueError(f"rows[{index}].{error}") from None
    with transaction.atomic():
        # A shared lock on the business: it cannot be deleted under the import.
        business = Business.objects.select_for_update().get(pk=business_id)
        reservations = Reservation.objects.bulk_create(
            [_new_reservation(business, values) for values in cleaned]
        )
        entries, events = [], []
        for reservation in reservations:
            message = _reservation_message("created", reservation)
            entries.append(_audit_entry(RESERVATION_CREATED, reservation, message, None))
            events += _events(RESERVATION_CREATED, reservation, message)
        audit_record_many(actor=actor, entries=entries)
        publish_all(events)
    return reservations


def reservation_update(
    *, reservation_id: int, changes: dict[str, Any], actor: Actor = SHELL
) -> Reservation:
    """Change a reservation (its status, time, service or customer) and announce it.

    Raises Reservation.DoesNotExist or ValueError naming a field. A change that
    changes nothing writes nothing.
    """
    changes = _clean(changes, RESERVATION_FIELDS)
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_related("business")
            .select_for_update(of=("self",))
            .get(pk=reservation_id)
        )
        before = _audit_snapshot(reservation)
        changed = [f for f, v in changes.items() if getattr(reservation, f) != v]
        if not changed:
            return reservation
        for field in changed:
            setattr(reservation, field, changes[field])
        update_fields = [*changed, "updated_at"]
        if "status" in changed:
            cancelled = reservation.status == Reservation.Status.CANCELLED
            reservation.cancelled_at = timezone.now() if cancelled else None
            update_fields.append("cancelled_at")
        reservation.save(update_fields=update_fields)
        message = _reservation_message("updated", reservation, changed)
        _record(actor, RESERVATION_UPDATED, reservation, message, before)
    return reservation


def reservation_delete(*, reservation_id: int, actor: Actor = SHELL) -> None:
    """Delete a reservation and announce its last state (Reservation.DoesNotExist)."""
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_related("business")
            .select_for_update(of=("self",))
            .get(pk=reservation_id)
        )
        message = _reservation_message("deleted", reservation)
        _record(actor, RESERVATION_DELETED, reservation, message, _audit_snapshot(reservation))
        reservation.delete()
