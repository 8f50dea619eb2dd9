"""The offer event: an offer's whole state after each move, in its conversation's topic."""

from __future__ import annotations

from typing import Any

from tidewire.events import declare, iso_timestamp

from .models import MAX_COUNTERS, Offer

OFFER_SNAPSHOT = {
    "id": int,
    "listing": int,
    "buyer": int,
    "seller": int,
    "conversation": int,
    "amount": str,  # "80.00", as listing prices
    "status": str,
    "counters": int,
    "counters_left": int,
    "turn": (str, type(None)),  # "buyer" or "seller" must answer; None once closed
    "version": int,
    "expires_at": str,
    "created_at": str,
    "updated_at": str,
}

OFFER = declare(
    "offer",
    doc="An offer was made or moved (countered, accepted, declined, withdrawn, expired); "
    "`offer` is its whole state.",
    offer=OFFER_SNAPSHOT,
)


def offer_snapshot(offer: Offer) -> dict[str, Any]:
    """The offer as the REST API and the `offer` event show it (loads `listing` if not cached)."""
    return {
        "id": offer.pk,
        "listing": offer.listing_id,
        "buyer": offer.buyer_id,
        "seller": offer.listing.seller_id,
        "conversation": offer.conversation_id,
        "amount": f"{offer.amount:.2f}",
        "status": offer.status,
        "counters": offer.counters,
        "counters_left": MAX_COUNTERS - offer.counters,
        "turn": offer.turn or None,
        "version": offer.version,
        "expires_at": iso_timestamp(offer.expires_at),
        "created_at": iso_timestamp(offer.created_at),
        "updated_at": iso_timestamp(offer.updated_at),
    }
