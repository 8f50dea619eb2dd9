"""The marketplace's browse page in real Chromium: a buyer's page follows the seller's edits.

Seller and buyer are the demo accounts (seed_demo), each in a browser context of
their own, as two people are. Every test lists things of its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Locator, Page, Route, expect

pytestmark = pytest.mark.e2e

SELLER = ("seller", "tidewire-seller")
BUYER = ("buyer", "tidewire-buyer")


@pytest.fixture
def open_listings(open_window: Callable[..., Page]) -> Callable[[tuple[str, str]], Page]:
    """Open /listings/ logged in as `account`, in its own context; returns once it is live."""

    def open_(account: tuple[str, str]) -> Page:
        # open_window logs in through the form, in a browser context of its own, and
        # collects the page's errors for the report; from there, the listings.
        page = open_window(1, account=account, connected=False)
        page.goto("/listings/")
        expect(page.locator("#status")).to_have_attribute("data-status", "connected")
        expect(page.locator("body")).to_have_attribute("data-synced", "true")
        page.evaluate("window.__e2eNoReload = true")  # a reload would wipe it
        return page

    return open_


def list_thing(api: httpx.Client) -> dict:
    """A listing of the `api` account's (admin's: not the buyer's own) through the REST API."""
    response = api.post(
        "/api/listings/", json={"title": f"Thing {uuid.uuid4().hex[:6]}", "price": "120.00"}
    )
    assert response.status_code == 201, response.text
    return response.json()


def card(page: Page, listing_id: int) -> Locator:
    return page.locator(f'#listings [data-listing-id="{listing_id}"]')


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__e2eNoReload === true"), "the page was reloaded"


def test_buyer_sees_the_seller_list_then_change_price_and_status_without_reload(open_listings, api):
    buyer = open_listings(BUYER)
    seller = open_listings(SELLER)
    title = f"Bike {uuid.uuid4().hex[:6]}"
    seller.get_by_label("New listing title").fill(title)
    seller.get_by_label("New listing price").fill("120")
    seller.get_by_role("button", name="Post").click()

    on_buyer = buyer.locator("#listings > [data-listing-id]").first  # newest first
    expect(on_buyer.locator('[data-field="title"]')).to_have_text(title)
    expect(on_buyer.locator('[data-field="price"]')).to_have_text("120.00")
    expect(on_buyer.get_by_role("button", name="Contact seller")).to_be_visible()
    listing_id = int(on_buyer.get_attribute("data-listing-id"))
    on_seller = card(seller, listing_id)
    expect(on_seller.get_by_role("button", name="Contact seller")).to_have_count(0)

    on_seller.get_by_label("Price").fill("99.50")
    on_seller.get_by_label("Status").select_option("reserved")
    on_seller.get_by_role("button", name="Save").click()
    expect(on_seller.locator('[data-role="edit-state"]')).to_have_text("Saved")

    on_buyer = card(buyer, listing_id)
    expect(on_buyer.locator('[data-field="price"]')).to_have_text("99.50")
    expect(on_buyer.locator('[data-field="status"]')).to_have_text("reserved")
    expect(on_buyer.locator('[data-field="status"]')).to_have_attribute("data-status", "reserved")
    assert_not_reloaded(buyer)
    stored = api.get(f"/api/listings/{listing_id}/").json()
    assert (stored["price"], stored["status"]) == ("99.50", "reserved")
    assert stored["seller"]["username"] == SELLER[0]

    # For a person to look at: both pages after the seller's change.
    buyer.screenshot(path="/tmp/e2e-listings-buyer.png", full_page=True)
    seller.screenshot(path="/tmp/e2e-listings-seller.png", full_page=True)


def test_deleted_listings_go_and_contact_seller_opens_the_chat(open_listings, api):
    listing = list_thing(api)
    buyer = open_listings(BUYER)
    on_buyer = card(buyer, listing["id"])
    expect(on_buyer.locator('[data-field="price"]')).to_have_text("120.00")

    # The conversation endpoint is the chat app's: answered here as it answers.
    answers = iter([(500, {"detail": "Server down"}), (201, {"id": 42})])

    def conversation(route: Route) -> None:
        status, body = next(answers)
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    buyer.route("**/api/listings/*/conversation/", conversation)
    buyer.route("**/chat/42/", lambda route: route.fulfill(body="the chat room"))
    on_buyer.get_by_role("button", name="Contact seller").click()
    expect(on_buyer.locator('[data-role="contact-error"]')).to_contain_text("Server down")

    assert api.delete(f"/api/listings/{listing['id']}/").status_code == 204  # a super admin
    expect(on_buyer).to_have_count(0)
    assert_not_reloaded(buyer)

    other = list_thing(api)
    card(buyer, other["id"]).get_by_role("button", name="Contact seller").click()
    buyer.wait_for_url("**/chat/42/")
