"""The room embeds the conversation's offers and loads the offer card's script."""

import json

import pytest

from apps.offers.events import offer_snapshot

pytestmark = pytest.mark.django_db

TAG = '<script id="offers-page" type="application/json">'


def embedded(response) -> dict:
    text = response.content.decode()
    start = text.index(TAG) + len(TAG)
    return json.loads(text[start : text.index("</script>", start)])


@pytest.mark.parametrize("who", ["buyer", "seller"])
def test_the_room_embeds_its_offers_and_the_viewers_role(client, offer, buyer, seller, who):
    client.force_login(buyer if who == "buyer" else seller)
    response = client.get(f"/chat/{offer.conversation_id}/")
    assert response.status_code == 200
    assert embedded(response) == {"offers": [offer_snapshot(offer)], "role": who}
    text = response.content.decode()
    assert 'id="offer-panel"' in text
    assert "offers/offer_panel.js" in text


def test_a_room_without_offers_embeds_none(client, listing, rival):
    from apps.chat.services import conversation_open

    conversation, _ = conversation_open(listing_id=listing.pk, buyer=rival)
    client.force_login(rival)
    assert embedded(client.get(f"/chat/{conversation.pk}/"))["offers"] == []
