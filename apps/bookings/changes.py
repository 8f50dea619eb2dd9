"""What every change to a business or a reservation leaves behind, in its transaction:
a sentence for the feed, an audit entry (who, from where, before and after) and
its event on the dashboard's topic and on its business's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from apps.audit.services import Actor, audit_record
from tidewire.events import EventType
from tidewire.publish import publish_all

from .events import (
    BUSINESS_DELETED,
    RESERVATION_DELETED,
    business_snapshot,
    business_with_owner,
    envelope,
    reservation_snapshot,
)
from .models import Business, Reservation
from .topics import DASHBOARD_TOPIC, business_topic


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def business_message(action: str, business: Business, changed: list[str] | None = None) -> str:
    if action == "created":
        return f"New business '{business.name}' created"
    if action == "updated":
        return f"Business '{business.name}' updated ({', '.join(changed or [])})"
    return f"Business '{business.name}' deleted"


def reservation_message(
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


def audit_snapshot(obj: Business | Reservation) -> dict[str, Any]:
    """The object as the audit log keeps it: the event's fields, and a business's owner."""
    if isinstance(obj, Business):
        return business_with_owner(obj)
    return reservation_snapshot(obj)


def audit_entry(
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
        "after": None if event in (BUSINESS_DELETED, RESERVATION_DELETED) else audit_snapshot(obj),
    }


def change_events(event: EventType, obj: Business | Reservation, message: str) -> list[tuple]:
    """The change's event on the dashboard's topic and on its business's."""
    if isinstance(obj, Business):
        fields = envelope("business", business_snapshot(obj), message)
        business_id = obj.pk
    else:
        fields = envelope("reservation", reservation_snapshot(obj), message)
        business_id = obj.business_id
    return [(DASHBOARD_TOPIC, event, fields), (business_topic(business_id), event, fields)]


def record(
    actor: Actor,
    event: EventType,
    obj: Business | Reservation,
    message: str,
    before: dict[str, Any] | None,
) -> None:
    """Audit one change and store its events, in the caller's transaction."""
    audit_record(actor=actor, **audit_entry(event, obj, message, before))
    publish_all(change_events(event, obj, message))
