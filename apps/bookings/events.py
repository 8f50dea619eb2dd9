"""Events of the bookings app, in seed 004's envelope: `{type, payload: {..., message}, timestamp}`.

`/ws/dashboard/` and `/ws/business/<id>/` send these bodies as they are; the
multiplexed `/ws/` wraps them with their topic and offset.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tidewire.events import EventType, declare, iso_timestamp

from .models import Business, Reservation

BUSINESS_SNAPSHOT = {"id": int, "name": str, "subdomain": str}  # the BRIEF's fields, exactly
RESERVATION_SNAPSHOT = {
    "id": int,
    "business": int,
    "customer_name": str,
    "customer_email": str,
    "service": str,
    "starts_at": str,
    "status": str,
}


def _declare(name: str, key: str, snapshot: dict[str, Any], doc: str) -> EventType:
    return declare(
        name,
        doc=doc + " `message` is a sentence for a feed; `timestamp` when it happened.",
        payload={key: snapshot, "message": str},
        timestamp=str,
    )


BUSINESS_CREATED = _declare(
    "business_created", "business", BUSINESS_SNAPSHOT, "A business was created; its state."
)
BUSINESS_UPDATED = _declare(
    "business_updated", "business", BUSINESS_SNAPSHOT, "A business changed; its new state."
)
BUSINESS_DELETED = _declare(
    "business_deleted",
    "business",
    BUSINESS_SNAPSHOT,
    "A business was deleted (with its reservations); its last state.",
)
RESERVATION_CREATED = _declare(
    "reservation_created",
    "reservation",
    RESERVATION_SNAPSHOT,
    "A reservation was made; its state.",
)
RESERVATION_UPDATED = _declare(
    "reservation_updated",
    "reservation",
    RESERVATION_SNAPSHOT,
    "A reservation changed (status, time, service, customer); its new state.",
)
RESERVATION_DELETED = _declare(
    "reservation_deleted",
    "reservation",
    RESERVATION_SNAPSHOT,
    "A reservation was deleted; its last state.",
)


def business_snapshot(business: Business) -> dict[str, Any]:
    """The business as events show it (the REST API adds `owner`)."""
    return {"id": business.pk, "name": business.name, "subdomain": business.subdomain}


def business_with_owner(business: Business) -> dict[str, Any]:
    """The business as the REST API and the audit log show it: the event's fields and its
    owner's id."""
    return {**business_snapshot(business), "owner": business.owner_id}


def reservation_snapshot(reservation: Reservation) -> dict[str, Any]:
    """The reservation as both the REST API and the events show it."""
    return {
        "id": reservation.pk,
        "business": reservation.business_id,
        "customer_name": reservation.customer_name,
        "customer_email": reservation.customer_email,
        "service": reservation.service,
        "starts_at": iso_timestamp(reservation.starts_at),
        "status": reservation.status,
    }


def envelope(key: str, snapshot: dict[str, Any], message: str) -> dict[str, Any]:
    """The fields of an event body besides its type."""
    return {
        "payload": {key: snapshot, "message": message},
        "timestamp": iso_timestamp(timezone.now()),
    }
