"""Demo offer: in the demo conversation, the buyer offers and the seller counters."""

from __future__ import annotations

from django.contrib.auth.models import User

from apps.chat.models import Conversation

from .models import Offer
from .services import offer_move, offer_propose

DEMO_OFFER = "400"  # the demo laptop's price is 450
DEMO_COUNTER = "430"


def seed_offers() -> int:
    """The buyer's offer on the demo laptop, countered: the buyer's turn to answer (0 if any)."""
    conversation = Conversation.objects.filter(buyer__username="buyer").order_by("pk").first()
    if conversation is None or Offer.objects.exists():
        return 0
    buyer = conversation.buyer
    offer = offer_propose(listing_id=conversation.listing_id, buyer=buyer, amount=DEMO_OFFER)
    seller = User.objects.get(pk=conversation.seller_id)
    offer_move(offer_id=offer.pk, user=seller, action="counter", amount=DEMO_COUNTER)
    return 1
