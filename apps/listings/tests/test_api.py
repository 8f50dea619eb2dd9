"""Every /api/listings/ endpoint and every error it answers."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from apps.listings import services
from apps.listings.models import Listing
from apps.listings.topics import LISTINGS_TOPIC, listing_topic
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

from .conftest import bearer_client

pytestmark = pytest.mark.django_db

FIELDS = {"id", "title", "description", "price", "status", "seller", "created_at", "updated_at"}


def url(listing_id=None):
    return "/api/listings/" if listing_id is None else f"/api/listings/{listing_id}/"


@pytest.fixture
def as_admin(db):
    return bearer_client(User.objects.create_superuser(username="root", password="root-pass-1"))


def snapshot(listing_id):
    return {**Listing.objects.filter(pk=listing_id).values("title", "price", "status").get()}


# Reading


@pytest.mark.parametrize(("method", "path"), [
    ("get", url()), ("post", url()), ("get", url(1)), ("patch", url(1)), ("delete", url(1)),
])  # fmt: skip
def test_anonymous_requests_are_401(method, path):
    response = getattr(APIClient(), method)(path, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_list_shows_everyone_s_listings_newest_first(as_buyer, listing, buyer):
    own = services.listing_create(seller=buyer, title="Books", price=35)
    response = as_buyer.get(url())
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [own.pk, listing.pk]
    item = body["results"][1]
    assert set(item) == FIELDS
    assert (item["price"], item["status"]) == ("450.00", "available")
    assert item["seller"] == {"id": listing.seller_id, "username": "sam"}
    assert (body["next"], body["previous"]) == (None, None)


def test_list_pages_with_a_cursor(as_buyer, seller):
    made = [services.listing_create(seller=seller, title=f"Thing {n}", price=n) for n in range(25)]
    newest_first = [listing.pk for listing in reversed(made)]
    first = as_buyer.get(url()).json()
    assert [item["id"] for item in first["results"]] == newest_first[:20]
    services.listing_create(seller=seller, title="Newer", price=1)  # no shift for the cursor
    second = as_buyer.get(first["next"]).json()
    assert [item["id"] for item in second["results"]] == newest_first[20:]
    assert second["next"] is None
    assert second["previous"] is not None
    small = as_buyer.get(url(), {"page_size": 3}).json()
    assert len(small["results"]) == 3


def test_a_page_holds_at_most_100(as_buyer, seller):
    Listing.objects.bulk_create(
        Listing(seller=seller, title=f"Thing {n}", price=n) for n in range(101)
    )
    assert len(as_buyer.get(url(), {"page_size": 1000}).json()["results"]) == 100


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "nonsense"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"page_size": "-5"}, "page_size"),
    ],
)
def test_a_bad_cursor_or_page_size_is_400_naming_it(as_buyer, query, field):
    response = as_buyer.get(url(), query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_page_size_past_the_most_sends_the_most_and_a_blank_cursor_is_the_first_page(
    as_buyer, seller
):
    for number in range(3):
        services.listing_create(seller=seller, title=f"Lamp {number}", price=1)
    assert len(as_buyer.get(url(), {"page_size": "9" * 5000}).json()["results"]) == 3
    assert len(as_buyer.get(url(), {"cursor": "", "page_size": "2"}).json()["results"]) == 2


def test_list_filters_by_status_search_and_seller(as_buyer, seller, buyer):
    laptop = services.listing_create(seller=seller, title="Laptop", description="ThinkPad", price=1)
    lamp = services.listing_create(seller=seller, title="Lamp", price=2, status="reserved")
    books = services.listing_create(
        seller=buyer, title="Books", description="thinkpad manual", price=3
    )

    def found(**query):
        response = as_buyer.get(url(), query)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["results"]]

    assert found(status="reserved") == [lamp.pk]
    assert found(search="THINKPAD") == [books.pk, laptop.pk]
    assert found(search="thinkpad", seller=seller.pk) == [laptop.pk]
    assert found(status="available", search="la") == [laptop.pk]
    assert found(status="", search="") == [books.pk, lamp.pk, laptop.pk]  # empty: no filter


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "gone"}, "status"),
    ({"seller": "sam"}, "seller"),
    ({"seller": "0"}, "seller"),
    ({"seller": "9" * 30}, "seller"),
    ({"search": "x" * 201}, "search"),
    ({"search": "nul\x00"}, "search"),
])  # fmt: skip
def test_a_bad_filter_is_400_naming_it(as_buyer, query, field):
    response = as_buyer.get(url(), query)
    assert response.status_code == 400
    assert field in response.json()


def test_retrieve_one(as_buyer, listing):
    response = as_buyer.get(url(listing.pk))
    assert response.status_code == 200
    assert set(response.json()) == FIELDS
    assert response.json()["title"] == "Laptop"


def test_reads_carry_the_stream_offset_taken_before_the_data(as_buyer, listing):
    response = as_buyer.get(url())
    assert response["Tidewire-Topic"] == LISTINGS_TOPIC
    assert int(response["Tidewire-Offset"]) == stream_offset(topic=LISTINGS_TOPIC) == 1
    response = as_buyer.get(url(listing.pk))  # one listing: its own topic
    assert response["Tidewire-Topic"] == listing_topic(listing.pk)
    assert int(response["Tidewire-Offset"]) == stream_offset(topic=listing_topic(listing.pk))


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("listing_id", [999, "9" * 5_000])
def test_unknown_listing_is_404(as_buyer, method, listing_id):
    response = getattr(as_buyer, method)(url(listing_id), {}, format="json")
    assert response.status_code == 404


def test_put_is_not_allowed(as_seller, listing):
    response = as_seller.put(url(listing.pk), {"title": "X", "price": "1"}, format="json")
    assert response.status_code == 405


# Creating


def test_create_is_201_with_the_caller_as_seller_and_broadcast(as_buyer, buyer):
    response = as_buyer.post(
        url(), {"title": "Bike", "description": "Two\nlines", "price": "220.5"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == FIELDS
    assert (body["price"], body["status"], body["description"]) == (
        "220.50",
        "available",
        "Two\nlines",
    )
    assert body["seller"] == {"id": buyer.pk, "username": "bea"}
    assert events_after(LISTINGS_TOPIC) == [{"type": "listing_created", "listing": body}]
    assert events_after(listing_topic(body["id"])) == [{"type": "listing_created", "listing": body}]


def test_create_takes_a_status_and_a_number_for_price(as_buyer):
    response = as_buyer.post(
        url(), {"title": "Lamp", "price": 15, "status": "reserved"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["price"], response.json()["status"]) == ("15.00", "reserved")


BAD_INPUT = [
    ({"title": ""}, "title", "blank"),
    ({"title": "   "}, "title", "blank"),
    ({"title": "x" * 121}, "title", "120"),
    ({"title": 42}, "title", "string"),
    ({"title": None}, "title", "null"),
    ({"title": "Ann\u202egnp.exe"}, "title", "U+202E"),
    ({"title": "Two\nlines"}, "title", "U+000A"),
    ({"description": "x" * 5001}, "description", "5000"),
    ({"description": "Bell\x07"}, "description", "U+0007"),
    ({"price": "-1"}, "price", "greater than or equal to 0"),
    ({"price": "abc"}, "price", "valid number"),
    ({"price": "NaN"}, "price", "valid number"),
    ({"price": "1.005"}, "price", "2 decimal places"),
    ({"price": "100000000"}, "price", "8 digits before the decimal point"),
    ({"price": True}, "price", "valid number"),
    ({"status": "gone"}, "status", "valid choice"),
    ({"status": None}, "status", "null"),
    ({"seller": 1}, "seller", "Unknown field"),
    ({"id": 7}, "id", "Unknown field"),
    ({"colour": "red"}, "colour", "Unknown field"),
]
GOOD = {"title": "Bike", "price": "220"}


@pytest.mark.parametrize(("payload", "field", "message"), BAD_INPUT)
def test_bad_create_is_400_naming_the_field_and_stores_nothing(as_buyer, payload, field, message):
    response = as_buyer.post(url(), {**GOOD, **payload}, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Listing.objects.exists()
    assert events_after(LISTINGS_TOPIC) == []


@pytest.mark.parametrize("missing", ["title", "price"])
def test_create_without_a_required_field_is_400_naming_it(as_buyer, missing):
    payload = {key: value for key, value in GOOD.items() if key != missing}
    response = as_buyer.post(url(), payload, format="json")
    assert response.status_code == 400
    assert "required" in " ".join(response.json()[missing])
    assert not Listing.objects.exists()


def test_a_body_that_is_not_a_json_object_is_400(as_buyer):
    response = as_buyer.post(url(), ["title"], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    response = as_buyer.generic("POST", url(), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Listing.objects.exists()


# Changing and deleting


def test_seller_patches_price_and_status_and_the_event_matches_the_response(as_seller, listing):
    offset = stream_offset(topic=LISTINGS_TOPIC)
    response = as_seller.patch(
        url(listing.pk), {"price": "399.99", "status": "reserved"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["price"], body["status"], body["title"]) == ("399.99", "reserved", "Laptop")
    assert events_after(LISTINGS_TOPIC, offset) == [{"type": "listing_updated", "listing": body}]
    assert snapshot(listing.pk) == {
        "title": "Laptop",
        "price": Decimal("399.99"),
        "status": "reserved",
    }


def test_a_super_admin_may_patch_and_delete_anyone_s_listing(as_admin, listing):
    assert as_admin.patch(url(listing.pk), {"status": "sold"}, format="json").status_code == 200
    assert as_admin.delete(url(listing.pk)).status_code == 204
    assert not Listing.objects.exists()


@pytest.mark.parametrize("payload", [{"price": "1"}, {"price": "-1", "colour": "red"}])
def test_someone_else_s_patch_is_403_before_any_validation_and_changes_nothing(
    as_buyer, listing, payload
):
    offset = stream_offset(topic=LISTINGS_TOPIC)
    response = as_buyer.patch(url(listing.pk), payload, format="json")
    assert response.status_code == 403
    assert "seller" in response.json()["detail"]
    assert snapshot(listing.pk)["price"] == Decimal("450.00")
    assert events_after(LISTINGS_TOPIC, offset) == []


def test_someone_else_s_delete_is_403_and_deletes_nothing(as_buyer, listing):
    offset = stream_offset(topic=LISTINGS_TOPIC)
    assert as_buyer.delete(url(listing.pk)).status_code == 403
    assert Listing.objects.filter(pk=listing.pk).exists()
    assert events_after(LISTINGS_TOPIC, offset) == []


@pytest.mark.parametrize(("payload", "field", "message"), BAD_INPUT)
def test_bad_patch_is_400_naming_the_field_and_changes_nothing(
    as_seller, listing, payload, field, message
):
    offset = stream_offset(topic=LISTINGS_TOPIC)
    before = snapshot(listing.pk)
    response = as_seller.patch(url(listing.pk), payload, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert snapshot(listing.pk) == before
    assert events_after(LISTINGS_TOPIC, offset) == []


def test_an_empty_patch_is_200_and_announces_nothing(as_seller, listing):
    offset = stream_offset(topic=LISTINGS_TOPIC)
    response = as_seller.patch(url(listing.pk), {}, format="json")
    assert response.status_code == 200
    assert response.json()["price"] == "450.00"
    assert events_after(LISTINGS_TOPIC, offset) == []


def test_seller_deletes_and_the_last_state_is_broadcast(as_seller, listing):
    offset = stream_offset(topic=LISTINGS_TOPIC)
    assert as_seller.delete(url(listing.pk)).status_code == 204
    assert not Listing.objects.exists()
    [event] = events_after(LISTINGS_TOPIC, offset)
    assert (event["type"], event["listing"]["id"]) == ("listing_deleted", listing.pk)
    assert as_seller.get(url(listing.pk)).status_code == 404


def test_session_writes_need_the_csrf_token(client, seller, listing):
    # A browser's session is CSRF-checked (the page's script sends X-CSRFToken).
    csrf_client = APIClient(enforce_csrf_checks=True)
    csrf_client.force_login(seller)
    response = csrf_client.patch(url(listing.pk), {"price": "1"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert snapshot(listing.pk)["price"] == Decimal("450.00")
