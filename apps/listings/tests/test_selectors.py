from decimal import Decimal

import pytest

from apps.listings import selectors, services
from apps.listings.models import Listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(seller, buyer):
    make = services.listing_create
    return [
        make(seller=seller, title="Laptop", description="A ThinkPad", price=Decimal("450")),
        make(seller=buyer, title="Books", description="Engineering, used", price=Decimal("35")),
        make(seller=seller, title="Lamp", description="", price=Decimal("15"), status="reserved"),
    ]


def ids(listings):
    return [listing.pk for listing in listings]


def test_listing_list_is_newest_first(three):
    laptop, books, lamp = three
    assert ids(selectors.listing_list()) == [lamp.pk, books.pk, laptop.pk]


def test_listing_list_filters_by_status_seller_and_search(three, seller, buyer):
    laptop, books, lamp = three
    assert ids(selectors.listing_list(status="reserved")) == [lamp.pk]
    assert ids(selectors.listing_list(seller_id=buyer.pk)) == [books.pk]
    assert ids(selectors.listing_list(seller_id=seller.pk)) == [lamp.pk, laptop.pk]
    assert ids(selectors.listing_list(search="thinkpad")) == [laptop.pk]  # description, any case
    assert ids(selectors.listing_list(search="LA")) == [lamp.pk, laptop.pk]  # titles
    assert ids(selectors.listing_list(search="la", status="available")) == [laptop.pk]
    assert ids(selectors.listing_list(search="")) == ids(selectors.listing_list())


def test_listing_list_reads_sellers_in_the_same_query(three, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert {listing.seller.username for listing in selectors.listing_list()} == {"sam", "bea"}


def test_listing_get(three):
    assert selectors.listing_get(listing_id=three[0].pk).title == "Laptop"
    with pytest.raises(Listing.DoesNotExist):
        selectors.listing_get(listing_id=999)
