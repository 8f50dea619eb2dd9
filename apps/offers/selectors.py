"""Reads of offers: only the buyer and the listing's seller see one."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Offer


def visible_offers(*, user_id: int) -> QuerySet[Offer]:
    """Offers the user made or received, with their listings."""
    return Offer.objects.select_related("listing").filter(
        Q(buyer_id=user_id) | Q(listing__seller_id=user_id)
    )


def offer_for(*, user_id: int, offer_id: int) -> Offer:
    """One offer the user may see; Offer.DoesNotExist otherwise (no existence leak)."""
    return visible_offers(user_id=user_id).get(pk=offer_id)


def conversation_offers(*, conversation_id: int) -> list[Offer]:
    """The offers shown in a conversation, newest first."""
    return list(Offer.objects.select_related("listing").filter(conversation_id=conversation_id))
