"""The offer panel of a conversation's room: `{% offer_panel conversation user %}`.

The room's page reads the conversation topic's offset before its data, and this
renders after it: an `offer` event in between is both here and replayed, and
the card keeps the highest `version` (offer_card.js), so nothing goes back.
"""

from __future__ import annotations

from typing import Any

from django import template

from ..events import offer_snapshot
from ..selectors import conversation_offers

register = template.Library()


@register.inclusion_tag("offers/panel.html")
def offer_panel(conversation: Any, user: Any) -> dict[str, Any]:
    """The panel's markup and its data: the conversation's offers, newest first."""
    offers = [
        offer_snapshot(offer) for offer in conversation_offers(conversation_id=conversation.pk)
    ]
    role = "buyer" if user.pk == conversation.buyer_id else "seller"
    return {"offers_page": {"offers": offers, "role": role}}
