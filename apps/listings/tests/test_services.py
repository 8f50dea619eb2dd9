import re
from decimal import Decimal

import pytest

from apps.listings import services
from apps.listings.events import listing_snapshot
from apps.listings.models import Listing
from apps.listings.topics import LISTINGS_TOPIC, listing_topic
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


def offsets(listing_id: int) -> tuple[int, int]:
    """Where both topics a listing's events go to stand now."""
    return stream_offset(topic=LISTINGS_TOPIC), stream_offset(topic=listing_topic(listing_id))


def events_since(listing_id: int, since: tuple[int, int] = (0, 0)) -> tuple[list, list]:
    """The events of both topics after `since`, each checked against its declaration."""
    return events_after(LISTINGS_TOPIC, since[0]), events_after(listing_topic(listing_id), since[1])


def test_listing_create_emits_one_listing_created_on_each_topic(seller):
    listing = services.listing_create(
        seller=seller, title="Laptop", description="ThinkPad", price=Decimal("80")
    )
    [on_all], [on_one] = events_since(listing.pk)
    assert on_all == on_one
    assert on_all == {
        "type": "listing_created",
        "listing": {
            "id": listing.pk,
            "title": "Laptop",
            "description": "ThinkPad",
            "price": "80.00",
            "status": "available",
            "seller": {"id": seller.pk, "username": "sam"},
            "created_at": on_all["listing"]["created_at"],
            "updated_at": on_all["listing"]["updated_at"],
        },
    }
    assert on_all["listing"]["created_at"].endswith("Z")
    assert on_all["listing"] == listing_snapshot(Listing.objects.get(pk=listing.pk))


def test_listing_create_takes_defaults_and_a_status(seller):
    plain = services.listing_create(seller=seller, title="Lamp", price="15")
    assert (plain.description, plain.status, plain.price) == ("", "available", Decimal("15.00"))
    reserved = services.listing_create(seller=seller, title="Desk", price=5, status="reserved")
    assert Listing.objects.get(pk=reserved.pk).status == "reserved"


def test_listing_update_emits_the_new_state_on_each_topic(listing):
    since = offsets(listing.pk)
    before = listing_snapshot(listing)
    updated = services.listing_update(
        listing_id=listing.pk, changes={"price": Decimal("420.50"), "status": "reserved"}
    )
    [on_all], [on_one] = events_since(listing.pk, since)
    assert on_all == on_one
    assert on_all["type"] == "listing_updated"
    assert on_all["listing"] == {
        **before,
        "price": "420.50",
        "status": "reserved",
        "updated_at": on_all["listing"]["updated_at"],
    }
    assert on_all["listing"]["updated_at"] > before["updated_at"]
    assert on_all["listing"] == listing_snapshot(updated)
    fresh = Listing.objects.get(pk=listing.pk)
    assert (fresh.price, fresh.status) == (Decimal("420.50"), "reserved")


def test_listing_update_that_changes_nothing_writes_and_emits_nothing(listing):
    since = offsets(listing.pk)
    updated_at = Listing.objects.get(pk=listing.pk).updated_at
    services.listing_update(listing_id=listing.pk, changes={"price": "450.00", "title": "Laptop"})
    services.listing_update(listing_id=listing.pk, changes={})
    assert events_since(listing.pk, since) == ([], [])
    assert Listing.objects.get(pk=listing.pk).updated_at == updated_at


@pytest.mark.parametrize("field", ["seller", "id", "created_at", "updated_at", "colour"])
def test_listing_update_refuses_fields_that_are_not_editable(listing, field):
    since = offsets(listing.pk)
    with pytest.raises(ValueError, match="not editable"):
        services.listing_update(listing_id=listing.pk, changes={field: 1, "title": "Other"})
    assert Listing.objects.get(pk=listing.pk).title == "Laptop"
    assert events_since(listing.pk, since) == ([], [])


def test_listing_delete_emits_the_last_state_on_each_topic(listing):
    services.listing_update(listing_id=listing.pk, changes={"status": "sold"})
    since = offsets(listing.pk)
    services.listing_delete(listing_id=listing.pk)
    [on_all], [on_one] = events_since(listing.pk, since)
    assert on_all == on_one
    assert on_all["type"] == "listing_deleted"
    assert (on_all["listing"]["id"], on_all["listing"]["status"]) == (listing.pk, "sold")
    assert not Listing.objects.filter(pk=listing.pk).exists()


def test_missing_listing_raises_and_emits_nothing():
    with pytest.raises(Listing.DoesNotExist):
        services.listing_update(listing_id=999, changes={"title": "X"})
    with pytest.raises(Listing.DoesNotExist):
        services.listing_delete(listing_id=999)
    assert events_since(999) == ([], [])


BAD_VALUES = [
    ("title", "", "blank"),
    ("title", "   ", "blank"),
    ("title", "x" * 121, "120"),
    ("title", "Ann\u202egnp.exe", "U+202E"),
    ("title", "Two\nlines", "U+000A"),
    ("title", 42, "string"),
    ("description", "x" * 5001, "5000"),
    ("description", "Bell\x07", "U+0007"),
    ("description", None, "string"),
    ("price", Decimal("-0.01"), "negative"),
    ("price", "abc", "not a number"),
    ("price", "NaN", "finite"),
    ("price", "Infinity", "finite"),
    ("price", "1.005", "two decimal places"),
    ("price", "100000000.00", "exceed"),
    ("price", 12.5, "decimal number"),
    ("price", True, "decimal number"),
    ("price", None, "decimal number"),
    ("status", "gone", "one of"),
    ("status", None, "one of"),
]
VALID = {"title": "Bike", "description": "", "price": Decimal("220"), "status": "available"}


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES)
def test_listing_create_refuses_bad_values_naming_the_field_and_stores_nothing(
    seller, field, value, message
):
    with pytest.raises(ValueError, match=f"^{field} .*{re.escape(message)}"):
        services.listing_create(seller=seller, **{**VALID, field: value})
    assert not Listing.objects.exists()
    assert events_after(LISTINGS_TOPIC) == []


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES)
def test_listing_update_refuses_bad_values_naming_the_field_and_changes_nothing(
    listing, field, value, message
):
    since = offsets(listing.pk)
    before = listing_snapshot(Listing.objects.get(pk=listing.pk))
    with pytest.raises(ValueError, match=f"^{field} .*{re.escape(message)}"):
        services.listing_update(listing_id=listing.pk, changes={field: value})
    assert listing_snapshot(Listing.objects.get(pk=listing.pk)) == before
    assert events_since(listing.pk, since) == ([], [])


def test_services_store_text_in_nfc_and_keep_description_lines(seller):
    listing = services.listing_create(
        seller=seller, title="  Caf\u0065\u0301 table ", description="One\r\nTwo\tthree", price=1
    )
    fresh = Listing.objects.get(pk=listing.pk)
    assert (fresh.title, fresh.description) == ("Caf\u00e9 table", "One\nTwo\tthree")


# What a write with its events costs, pinned: the service's own transaction (a
# savepoint inside the test's), the change, and an offset and an event per topic.
def test_listing_create_costs_seven_queries(seller, listing, django_assert_num_queries):
    # SAVEPOINT, INSERT listing, offset and INSERT event twice, RELEASE
    with django_assert_num_queries(7):
        services.listing_create(seller=seller, title="Bike", price=220)


def test_listing_update_costs_nine_queries(listing, django_assert_num_queries):
    # SAVEPOINT, SELECT ... FOR UPDATE (with the seller), UPDATE, offset and event twice,
    # the chat's hook looking for conversations about the listing (none here), RELEASE
    with django_assert_num_queries(9):
        services.listing_update(listing_id=listing.pk, changes={"price": 400})


# listing_delete's count is not pinned: Django's cascade reads every model that points
# at a listing (conversations today, offers soon), so it grows with the chat app.
