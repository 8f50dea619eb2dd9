"""A blocked pair (either way) makes no offer and no move that goes on with the deal: 403."""

import pytest

from apps.moderation.services import block_create, block_delete
from apps.offers.models import Offer

pytestmark = pytest.mark.django_db


def test_a_buyer_blocked_by_the_seller_cannot_offer(listing, buyer, seller, client_of):
    block_create(blocker=seller, blocked_id=buyer.pk)
    response = client_of(buyer).post(
        f"/api/listings/{listing.pk}/offers/", {"amount": "40"}, format="json"
    )
    assert response.status_code == 403
    assert "blocked" in response.json()["detail"]
    assert not Offer.objects.exists()
    block_delete(blocker=seller, blocked_id=buyer.pk)
    again = client_of(buyer).post(
        f"/api/listings/{listing.pk}/offers/", {"amount": "40"}, format="json"
    )
    assert again.status_code == 201


@pytest.mark.parametrize("move", ["accept", "counter"])
def test_a_seller_blocked_by_the_buyer_cannot_go_on_with_an_offer(
    offer, buyer, seller, client_of, move
):
    block_create(blocker=buyer, blocked_id=seller.pk)
    body = {"amount": "45"} if move == "counter" else {}
    response = client_of(seller).post(f"/api/offers/{offer.pk}/{move}/", body, format="json")
    assert response.status_code == 403
    offer.refresh_from_db()
    assert offer.status == "pending"


def test_a_blocked_pair_may_still_close_an_offer(offer, buyer, seller, client_of):
    block_create(blocker=seller, blocked_id=buyer.pk)
    response = client_of(buyer).post(f"/api/offers/{offer.pk}/withdraw/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
