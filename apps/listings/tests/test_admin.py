"""Edits in Django admin go through the services, so they are broadcast like any other."""

from decimal import Decimal

import pytest

from apps.listings import services
from apps.listings.models import Listing
from apps.listings.topics import LISTINGS_TOPIC, listing_topic
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user, client):
    client.force_login(admin_user)
    return client


def form(listing: Listing, **changes) -> dict:
    fields = {
        "title": listing.title,
        "description": listing.description,
        "price": str(listing.price),
        "status": listing.status,
    }
    return {**fields, **changes}


def test_admin_change_is_broadcast_on_both_topics(staff, listing):
    offset = stream_offset(topic=LISTINGS_TOPIC)
    response = staff.post(
        f"/admin/listings/listing/{listing.pk}/change/", form(listing, price="99.00", status="sold")
    )
    assert response.status_code == 302
    [event] = events_after(LISTINGS_TOPIC, offset)
    assert event["type"] == "listing_updated"
    assert (event["listing"]["price"], event["listing"]["status"]) == ("99.00", "sold")
    assert events_after(listing_topic(listing.pk))[-1] == event


def test_admin_save_without_changes_broadcasts_nothing(staff, listing):
    offset = stream_offset(topic=LISTINGS_TOPIC)
    response = staff.post(f"/admin/listings/listing/{listing.pk}/change/", form(listing))
    assert response.status_code == 302
    assert events_after(LISTINGS_TOPIC, offset) == []


def test_admin_add_and_delete_are_broadcast(staff, seller):
    response = staff.post(
        "/admin/listings/listing/add/",
        {
            "seller": seller.pk,
            "title": "Lamp",
            "description": "",
            "price": "15",
            "status": "reserved",
        },
    )
    assert response.status_code == 302
    listing = Listing.objects.get(title="Lamp")
    assert (listing.seller, listing.status) == (seller, "reserved")
    response = staff.post(f"/admin/listings/listing/{listing.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Listing.objects.exists()
    assert [e["type"] for e in events_after(LISTINGS_TOPIC)] == [
        "listing_created",
        "listing_deleted",
    ]


def test_admin_bulk_delete_broadcasts_each(staff, seller):
    made = [services.listing_create(seller=seller, title=f"T{n}", price=n) for n in range(3)]
    offset = stream_offset(topic=LISTINGS_TOPIC)
    response = staff.post(
        "/admin/listings/listing/",
        {"action": "delete_selected", "_selected_action": [m.pk for m in made], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Listing.objects.exists()
    assert [e["type"] for e in events_after(LISTINGS_TOPIC, offset)] == ["listing_deleted"] * 3


@pytest.mark.parametrize(("field", "value", "code"), [
    ("title", "Ann\u202egnp.exe", "U+202E"),
    ("title", "", "required"),
    ("price", "-1", "greater than or equal to 0"),
    ("status", "gone", "valid choice"),
])  # fmt: skip
def test_admin_refuses_bad_input_naming_the_field_and_stores_nothing(
    staff, listing, field, value, code
):
    offset = stream_offset(topic=LISTINGS_TOPIC)
    response = staff.post(
        f"/admin/listings/listing/{listing.pk}/change/", form(listing, **{field: value})
    )
    assert response.status_code == 200  # the form again, with the error
    assert code in " ".join(response.context["adminform"].form.errors[field])
    fresh = Listing.objects.get(pk=listing.pk)
    assert (fresh.title, fresh.price, fresh.status) == ("Laptop", Decimal("450.00"), "available")
    assert events_after(LISTINGS_TOPIC, offset) == []


def test_admin_lists_searches_and_filters_by_status(staff, listing, seller):
    services.listing_create(seller=seller, title="Lamp", price=15, status="reserved")
    page = staff.get("/admin/listings/listing/", {"status__exact": "reserved"})
    assert page.status_code == 200
    assert [item.title for item in page.context["cl"].result_list] == ["Lamp"]
    page = staff.get("/admin/listings/listing/", {"q": "thinkpad"})
    assert [item.title for item in page.context["cl"].result_list] == ["Laptop"]


def test_the_seller_is_read_only_once_listed(staff, listing, buyer):
    response = staff.post(
        f"/admin/listings/listing/{listing.pk}/change/", {**form(listing), "seller": buyer.pk}
    )
    assert response.status_code == 302
    assert Listing.objects.get(pk=listing.pk).seller_id == listing.seller_id
