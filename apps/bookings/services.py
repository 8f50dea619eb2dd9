"""Writes to businesses and reservations. Each one, in its transaction, appends to the audit
log and stores its events on the dashboard topic and the business's own topic; new
businesses, and reservations made or cancelled, also notify (apps/bookings/notices.py)
and schedule their emails (apps/bookings/emails.py) there, so all of it commits, or
none.

Every caller goes through here (the REST API, Django admin, jobs, the shell), so
every change is broadcast and audited whoever makes it. Values are checked here
too (ValueError naming the field), so no caller can store one the API refuses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import SHELL, Actor, audit_record_many
from tidewire.publish import publish_all

from . import emails, notices
from .changes import (
    audit_entry,
    audit_snapshot,
    business_message,
    change_events,
    record,
    reservation_message,
)
from .events import (
    BUSINESS_CREATED,
    BUSINESS_DELETED,
    BUSINESS_UPDATED,
    RESERVATION_CREATED,
    RESERVATION_DELETED,
    RESERVATION_UPDATED,
)
from .models import Business, OwnerEmailSettings, Reservation
from .values import BUSINESS_FIELDS, RESERVATION_FIELDS, clean

IMPORT_MAX = 5000  # reservations one import may hold


class SubdomainTaken(ValueError):
    """Another business has that subdomain."""


# -- businesses -----------------------------------------------------------------


def business_create(*, name: str, subdomain: str, owner: Any, actor: Actor = SHELL) -> Business:
    """Create a business (ValueError naming a field; SubdomainTaken) and announce it."""
    values = clean({"name": name, "subdomain": subdomain, "owner": owner}, BUSINESS_FIELDS)
    try:
        with transaction.atomic():
            business = Business.objects.create(**values)
            message = business_message("created", business)
            record(actor, BUSINESS_CREATED, business, message, None)
            notices.business_created(business, actor)
    except IntegrityError:
        if Business.objects.filter(subdomain=values["subdomain"]).exists():
            raise SubdomainTaken(f"subdomain {values['subdomain']!r} is taken") from None
        raise
    return business


def business_update(*, business_id: int, changes: dict[str, Any], actor: Actor = SHELL) -> Business:
    """Change name, subdomain or owner and announce it; changing nothing writes nothing.

    Raises Business.DoesNotExist, ValueError naming a field, or SubdomainTaken.
    """
    changes = clean(changes, BUSINESS_FIELDS)
    try:
        with transaction.atomic():
            business = Business.objects.select_for_update().get(pk=business_id)
            before = audit_snapshot(business)
            changed = [f for f, v in changes.items() if getattr(business, f) != v]
            if not changed:
                return business
            for field in changed:
                setattr(business, field, changes[field])
            business.save(update_fields=[*changed, "updated_at"])
            message = business_message("updated", business, changed)
            record(actor, BUSINESS_UPDATED, business, message, before)
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
        message = business_message("deleted", business)
        record(actor, BUSINESS_DELETED, business, message, audit_snapshot(business))
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
    audited, their events stored and their customers' emails scheduled in bulk,
    and the owner and super admins hear of the import once each. ValueError names the row and field
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
            cleaned.append(clean({"status": Reservation.Status.PENDING, **row}, RESERVATION_FIELDS))
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
            message = reservation_message("created", reservation)
            entries.append(audit_entry(RESERVATION_CREATED, reservation, message, None))
            events += change_events(RESERVATION_CREATED, reservation, message)
        audit_record_many(actor=actor, entries=entries)
        publish_all(events)
        notices.reservations_created(business, reservations, actor)
        emails.reservations_made(owner_id=business.owner_id, reservations=reservations)
    return reservations


def reservation_update(
    *, reservation_id: int, changes: dict[str, Any], actor: Actor = SHELL
) -> Reservation:
    """Change a reservation (its status, time, service or customer) and announce it.

    Raises Reservation.DoesNotExist or ValueError naming a field. A change that
    changes nothing writes nothing.
    """
    changes = clean(changes, RESERVATION_FIELDS)
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_related("business")
            .select_for_update(of=("self",))
            .get(pk=reservation_id)
        )
        before = audit_snapshot(reservation)
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
        message = reservation_message("updated", reservation, changed)
        record(actor, RESERVATION_UPDATED, reservation, message, before)
        if "status" in changed and reservation.status == Reservation.Status.CANCELLED:
            notices.reservation_cancelled(reservation, actor, message)
            owner_id = reservation.business.owner_id
            emails.reservation_cancelled(owner_id=owner_id, reservation=reservation)
    return reservation


def reservation_delete(*, reservation_id: int, actor: Actor = SHELL) -> None:
    """Delete a reservation and announce its last state (Reservation.DoesNotExist)."""
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_related("business")
            .select_for_update(of=("self",))
            .get(pk=reservation_id)
        )
        message = reservation_message("deleted", reservation)
        record(actor, RESERVATION_DELETED, reservation, message, audit_snapshot(reservation))
        reservation.delete()


# -- owners' email settings ---------------------------------------------------------


def owner_email_settings_set(*, owner_id: int, delivery: str) -> OwnerEmailSettings:
    """Choose one email per reservation fact or a daily digest (ValueError naming `delivery`)."""
    if delivery not in OwnerEmailSettings.Delivery.values:
        choices = ", ".join(OwnerEmailSettings.Delivery.values)
        raise ValueError(f"delivery must be one of {choices}")
    settings, _ = OwnerEmailSettings.objects.update_or_create(
        owner_id=owner_id, defaults={"delivery": delivery}
    )
    return settings
