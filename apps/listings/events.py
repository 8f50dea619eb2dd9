"""Events of the listings app: a listing created, changed or deleted, with its whole state."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tidewire.events import declare

from .models import Listing

LISTING_SNAPSHOT = {
    "id": int,
    "title": str,
    "description": str,
    "price": str,  # "80.00": a decimal as text, exactly as the REST API renders it
    "status": str,
    "seller": {"id": int, "username": str},
    "created_at": str,
    "updated_at": str,
}

LISTING_CREATED = declare(
    "listing_created",
    doc="A listing was put up for sale; `listing` is its state.",
    listing=LISTING_SNAPSHOT,
)
LISTING_UPDATED = declare(
    "listing_updated",
    doc="A listing's title, description, price or status changed; `listing` is its new state.",
    listing=LISTING_SNAPSHOT,
)
LISTING_DELETED = declare(
    "listing_deleted",
    doc="A listing was deleted; `listing` is its last state.",
    listing=LISTING_SNAPSHOT,
)

# DRF's own rendering (ISO 8601, UTC as "Z"), so REST and socket agree to the character.
_TIMESTAMP = serializers.DateTimeField()


def listing_snapshot(listing: Listing) -> dict[str, Any]:
    """The listing as both the REST API and the events show it (loads `seller` if not cached)."""
    return {
        "id": listing.pk,
        "title": listing.title,
        "description": listing.description,
        "price": f"{listing.price:.2f}",
        "status": listing.status,
        "seller": {"id": listing.seller_id, "username": listing.seller.get_username()},
        "created_at": _TIMESTAMP.to_representation(listing.created_at),
        "updated_at": _TIMESTAMP.to_representation(listing.updated_at),
    }
