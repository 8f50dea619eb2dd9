"""Offers in real Chromium: made, countered and accepted across two people, live, and the
listing's reservation told live in a third person's conversation about it."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import Page, expect

from tidewire.testing.servers import ServerProcess

pytestmark = pytest.mark.e2e

PASSWORD = "offers-e2e-pass-1"

_MAKE_PEOPLE = """
import json
from decimal import Decimal
from django.contrib.auth.models import User
from apps.listings.services import listing_create
from apps.chat.services import conversation_open
names = {names!r}
users = {{role: User.objects.create_user(username=name, password={password!r})
         for role, name in names.items()}}
listing = listing_create(seller=users["seller"], title={title!r}, price=Decimal("100"))
rooms = {{role: conversation_open(listing_id=listing.pk, buyer=users[role])[0].pk
         for role in ("buyer", "rival")}}
print(json.dumps({{"listing": listing.pk, "rooms": rooms}}))
"""


@pytest.fixture
def people(e2e_server: ServerProcess) -> dict:
    """A seller's listing, and two buyers each with a conversation about it."""
    tag = uuid.uuid4().hex[:6]
    names = {role: f"{role}-{tag}" for role in ("seller", "buyer", "rival")}
    script = _MAKE_PEOPLE.format(names=names, password=PASSWORD, title=f"Bike {tag}")
    made = json.loads(e2e_server.manage("shell", "-c", script).strip().splitlines()[-1])
    return {**made, "names": names}


def offer_amount(page: Page, mode_button: str, amount: str) -> None:
    page.locator(mode_button).click()
    page.locator("#offer-input").fill(amount)
    page.locator("#offer-submit").click()
    expect(page.locator("#offer-form")).to_be_hidden()  # sent: the form closes


def test_an_offer_made_countered_and_accepted_reaches_everyone_live(people, person):
    names, rooms = people["names"], people["rooms"]
    _, seller = person(PASSWORD, names["seller"], f"/chat/{rooms['buyer']}/")
    _, buyer = person(PASSWORD, names["buyer"], f"/chat/{rooms['buyer']}/")
    _, rival = person(PASSWORD, names["rival"], f"/chat/{rooms['rival']}/")
    for page in (seller, buyer, rival):
        page.evaluate("window.__noReload = true")  # gone if any page reloads
    expect(seller.locator("#make-offer")).to_be_hidden()  # sellers do not offer
    expect(buyer.locator("#offer-form")).to_be_hidden()

    # The buyer offers 80: the seller's card appears with the seller's moves.
    offer_amount(buyer, "#make-offer", "80")
    expect(buyer.locator("#offer-amount")).to_have_text("€80")
    expect(buyer.locator("#offer-turn")).to_have_text(f"Waiting for {names['seller']}")
    expect(buyer.locator("#make-offer")).to_be_hidden()
    expect(seller.locator("#offer-amount")).to_have_text("€80")
    expect(seller.locator("#offer-status")).to_have_text("Pending")
    expect(seller.locator("#offer-actions button")).to_have_text(["Accept", "Decline", "Counter"])

    # The seller counters 95: the buyer may now accept, decline, counter or withdraw.
    offer_amount(seller, "[data-action=counter]", "95")
    expect(buyer.locator("#offer-amount")).to_have_text("€95")
    expect(buyer.locator("#offer-status")).to_have_text("Countered")
    expect(buyer.locator("#offer-meta")).to_contain_text("2 counters left")
    expect(buyer.locator("#offer-actions button")).to_have_text(
        ["Accept", "Decline", "Counter", "Withdraw"]
    )
    expect(seller.locator("#offer-actions button")).to_have_count(0)

    # The buyer accepts: both cards say so, and the listing is reserved everywhere.
    buyer.locator("[data-action=accept]").click()
    for page in (buyer, seller):
        expect(page.locator("#offer-status")).to_have_text("Accepted")
        expect(page.locator("#offer-actions button")).to_have_count(0)
        expect(page.locator("#listing-status")).to_have_text("Reserved")
        expect(
            page.locator(".chat-system", has_text=f"Reserved for {names['buyer']}")
        ).to_be_visible()
    expect(rival.locator(".chat-system")).to_have_text("Reserved for another buyer")
    expect(rival.locator("#listing-status")).to_have_text("Reserved")
    expect(rival.locator("#make-offer")).to_be_hidden()
    for page in (seller, buyer, rival):
        assert page.evaluate("window.__noReload === true")

    # And after a reload the line and the card are still there (stored, not only pushed).
    rival.reload()
    expect(rival.locator(".chat-system")).to_have_text("Reserved for another buyer")
    buyer.reload()
    expect(buyer.locator("#offer-status")).to_have_text("Accepted")
    expect(buyer.locator("#offer-amount")).to_have_text("€95")
