import json
import re

import pytest

from apps.listings import services
from apps.listings.topics import LISTINGS_TOPIC
from tidewire.streams import stream_offset

pytestmark = pytest.mark.django_db


def cards(html: str) -> dict[int, str]:
    """Each rendered card's HTML by listing id (the empty one in <template> left out)."""
    shown = html.split('<template id="card-template">')[0]
    parts = re.split(r'(?=<div class="col" data-listing-id=")', shown)[1:]
    return {
        int(re.match(r'<div class="col" data-listing-id="(\d+)"', p).group(1)): p for p in parts
    }


@pytest.fixture
def market(seller, buyer):
    own = services.listing_create(seller=seller, title="Laptop", description="ThinkPad", price=450)
    other = services.listing_create(seller=buyer, title="<b>Books</b>", price=35, status="reserved")
    return own, other


def test_page_needs_a_login(client):
    response = client.get("/listings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_page_shows_every_listing_with_price_status_and_seller(client, seller, market):
    own, other = market
    client.force_login(seller)
    response = client.get("/listings/")
    assert response.status_code == 200
    html = response.content.decode()
    shown = cards(html)
    assert list(shown) == [other.pk, own.pk]  # newest first
    assert '€<span data-field="price">450.00</span>' in shown[own.pk]
    assert 'data-status="reserved"' in shown[other.pk]
    assert ">bea</bdi>" in shown[other.pk]
    assert "ThinkPad" in shown[own.pk]
    assert "<b>Books</b>" not in html  # user content is escaped
    assert "&lt;b&gt;Books&lt;/b&gt;" in shown[other.pk]
    assert 'href="/listings/"' in html  # the navbar
    assert "csrftoken" in response.cookies  # the page's script sends it with writes


def test_contact_seller_only_on_others_listings_and_the_edit_form_only_on_one_s_own(
    client, seller, market
):
    own, other = market
    client.force_login(seller)
    shown = cards(client.get("/listings/").content.decode())
    assert "Contact seller" not in shown[own.pk]
    assert 'data-part="edit"' in shown[own.pk]
    assert "Contact seller" in shown[other.pk]
    assert 'data-part="edit"' not in shown[other.pk]


def test_page_embeds_the_listings_the_viewer_and_the_offset_for_the_socket(client, buyer, market):
    client.force_login(buyer)
    response = client.get("/listings/")
    html = response.content.decode()

    def embedded(element_id):
        match = re.search(
            rf'<script id="{element_id}" type="application/json">(.*?)</script>', html
        )
        return json.loads(match.group(1))

    assert [listing["title"] for listing in embedded("initial-listings")] == [
        "<b>Books</b>",
        "Laptop",
    ]
    assert embedded("viewer") == {"id": buyer.pk, "username": "bea"}
    assert embedded("initial-offset") == stream_offset(topic=LISTINGS_TOPIC) == 2
    assert embedded("initial-filters") == {"search": "", "status": ""}


@pytest.mark.parametrize(("query", "titles"), [
    ({"status": "reserved"}, ["<b>Books</b>"]),
    ({"search": "thinkpad"}, ["Laptop"]),
    ({"search": "books", "status": "available"}, []),
    ({"status": "gone"}, ["<b>Books</b>", "Laptop"]),  # not a status: no filter
])  # fmt: skip
def test_page_filters_on_the_server(client, buyer, market, query, titles):
    client.force_login(buyer)
    response = client.get("/listings/", query)
    assert [listing["title"] for listing in response.context["listings"]] == titles
    empty = re.search(r'<div id="empty"[^>]*>', response.content.decode()).group(0)
    assert ("hidden" in empty) == bool(titles)  # "No listings match." shows when none do


def test_page_shows_the_newest_hundred(client, buyer, seller, monkeypatch):
    monkeypatch.setattr("apps.listings.views.BROWSE_LIMIT", 2)
    for n in range(3):
        services.listing_create(seller=seller, title=f"Thing {n}", price=n)
    client.force_login(buyer)
    response = client.get("/listings/")
    assert [listing["title"] for listing in response.context["listings"]] == ["Thing 2", "Thing 1"]
    assert "The 2 newest are shown" in response.content.decode()
