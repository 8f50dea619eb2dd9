"""REST of offers, per BRIEF: make, accept, decline, withdraw, counter; 409 reasons, 404, 400."""

import pytest

from apps.listings.models import Listing
from apps.offers.models import Offer

pytestmark = pytest.mark.django_db

BRIEF_FIELDS = {"id", "listing", "buyer", "amount", "status", "counters"}


def make(api, listing_id, amount="80"):
    return api.post(f"/api/listings/{listing_id}/offers/", {"amount": amount}, format="json")


def act(api, offer_id, action, **body):
    return api.post(f"/api/offers/{offer_id}/{action}/", body, format="json")


def test_make_counter_and_accept_over_rest(client_of, listing, buyer, seller):
    made = make(client_of(buyer), listing.pk, "80")
    assert made.status_code == 201, made.json()
    offer = made.json()
    assert offer.keys() >= BRIEF_FIELDS
    assert (offer["listing"], offer["buyer"], offer["amount"]) == (listing.pk, buyer.pk, "80.00")
    assert (offer["status"], offer["counters"], offer["turn"]) == ("pending", 0, "seller")
    countered = act(client_of(seller), offer["id"], "counter", amount="95.50")
    assert countered.status_code == 200
    assert countered.json()["amount"] == "95.50"
    assert (countered.json()["status"], countered.json()["counters"]) == ("countered", 1)
    accepted = act(client_of(buyer), offer["id"], "accept")
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert Listing.objects.get(pk=listing.pk).status == "reserved"
    # Both sides read it; nobody else.
    for user in (buyer, seller):
        assert client_of(user).get(f"/api/offers/{offer['id']}/").json() == accepted.json()


@pytest.mark.parametrize(("action", "status"), [("decline", "declined"), ("withdraw", "withdrawn")])
def test_decline_and_withdraw(client_of, offer, buyer, seller, action, status):
    who = seller if action == "decline" else buyer
    response = act(client_of(who), offer.pk, action)
    assert (response.status_code, response.json()["status"]) == (200, status)


def test_illegal_moves_are_409_with_the_reason(client_of, offer, listing, buyer, seller):
    response = act(client_of(buyer), offer.pk, "accept")
    assert response.status_code == 409
    assert response.json()["reason"] == "not_your_turn"
    assert "seller's turn" in response.json()["detail"]
    assert make(client_of(seller), listing.pk).json()["reason"] == "own_listing"
    assert make(client_of(seller), listing.pk).status_code == 409
    assert make(client_of(buyer), listing.pk).json()["reason"] == "open_offer"
    for amount in ("95", "85", "90"):
        who = seller if amount != "85" else buyer
        assert act(client_of(who), offer.pk, "counter", amount=amount).status_code == 200
    fourth = act(client_of(buyer), offer.pk, "counter", amount="87")
    assert (fourth.status_code, fourth.json()["reason"]) == (409, "no_counters_left")
    assert act(client_of(seller), offer.pk, "withdraw").json()["reason"] == "buyer_only"


def test_an_expired_offer_is_409_expired(clock, client_of, listing, buyer, seller):
    offer = make(client_of(buyer), listing.pk).json()
    clock.advance(48 * 3600)
    response = act(client_of(seller), offer["id"], "accept")
    assert (response.status_code, response.json()["reason"]) == (409, "expired")
    assert client_of(buyer).get(f"/api/offers/{offer['id']}/").json()["status"] == "expired"


def test_a_sold_listing_takes_no_offers(client_of, listing, buyer):
    Listing.objects.filter(pk=listing.pk).update(status="sold")
    response = make(client_of(buyer), listing.pk)
    assert (response.status_code, response.json()["reason"]) == (409, "listing_sold")


def test_strangers_and_missing_things_are_404(client_of, offer, stranger):
    api = client_of(stranger)
    assert api.get(f"/api/offers/{offer.pk}/").status_code == 404
    for action in ("accept", "decline", "withdraw"):
        assert act(api, offer.pk, action).status_code == 404
    assert act(api, offer.pk, "counter", amount="5").status_code == 404
    assert make(api, 999999).status_code == 404
    assert Offer.objects.get(pk=offer.pk).status == "pending"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"amount": "0"},
        {"amount": "-1"},
        {"amount": "1.001"},
        {"amount": "x"},
        {"amount": "100000000"},
    ],
)
def test_bad_amounts_are_400_naming_amount(client_of, listing, offer, buyer, seller, rival, body):
    response = client_of(rival).post(f"/api/listings/{listing.pk}/offers/", body, format="json")
    assert (response.status_code, list(response.json())) == (400, ["amount"])
    response = act(client_of(seller), offer.pk, "counter", **body)
    assert (response.status_code, list(response.json())) == (400, ["amount"])


def test_unknown_fields_are_400(client_of, offer, seller):
    response = act(client_of(seller), offer.pk, "accept", amount="5")
    assert (response.status_code, list(response.json())) == (400, ["amount"])


def test_anonymous_is_refused(offer):
    from rest_framework.test import APIClient

    assert APIClient().post(f"/api/offers/{offer.pk}/accept/").status_code in (401, 403)


def test_offers_share_the_chat_send_limit(client_of, listing, buyer, seller, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "chat_send": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api = client_of(buyer)
    offer = make(api, listing.pk).json()
    assert act(api, offer["id"], "withdraw").status_code == 200
    assert make(api, listing.pk).status_code == 429
