from decimal import Decimal

import pytest

from apps.accounts.demo import seed_accounts
from apps.listings.demo import demo_laptop, seed_listings
from apps.listings.models import Listing
from apps.listings.topics import LISTINGS_TOPIC
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


def test_seed_listings_creates_the_seller_s_four_once():
    seed_accounts()
    assert seed_listings() == 4
    assert seed_listings() == 0
    listings = {listing.title: listing for listing in Listing.objects.select_related("seller")}
    assert list(listings) == ["Desk lamp", "Mountain bike", "Engineering Books", "Laptop for Sale"]
    assert {listing.seller.username for listing in listings.values()} == {"seller"}
    assert listings["Desk lamp"].status == "reserved"
    assert [e["type"] for e in events_after(LISTINGS_TOPIC)] == ["listing_created"] * 4


def test_demo_laptop_is_the_thinkpad_for_450():
    seed_accounts()
    seed_listings()
    laptop = demo_laptop()
    assert (laptop.title, laptop.price, laptop.status) == (
        "Laptop for Sale",
        Decimal("450"),
        "available",
    )
    assert "ThinkPad" in laptop.description
