"""Two moves at the same moment, on PostgreSQL's row locks: exactly one wins, none deadlocks."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from apps.listings.models import Listing
from apps.listings.services import listing_create
from apps.offers import services
from apps.offers.machine import IllegalMove
from apps.offers.models import Offer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
ROUNDS = 5  # each round races once; a lock missing anywhere loses some of them


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writer at a time: the race needs PostgreSQL; make test runs it"
        )


def race(*calls):
    """Run the calls at once on threads of their own; each one's result or IllegalMove."""
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            return call()
        except IllegalMove as refused:
            return refused
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_accept_against_withdraw_has_one_winner(seller, buyer):
    for n in range(ROUNDS):
        listing = listing_create(seller=seller, title=f"Lamp {n}", price=Decimal("50"))
        offer = services.offer_propose(listing_id=listing.pk, buyer=buyer, amount="40")
        accepted, withdrawn = race(
            lambda offer=offer: services.offer_move(
                offer_id=offer.pk, user=seller, action="accept"
            ),
            lambda offer=offer: services.offer_move(
                offer_id=offer.pk, user=buyer, action="withdraw"
            ),
        )
        outcomes = [
            r.reason if isinstance(r, IllegalMove) else r.status for r in (accepted, withdrawn)
        ]
        assert sorted(outcomes) in (["accepted", "closed"], ["closed", "withdrawn"]), outcomes
        final = Offer.objects.get(pk=offer.pk).status
        assert final in outcomes
        reserved = Listing.objects.get(pk=listing.pk).status == "reserved"
        assert reserved == (final == "accepted")


def test_two_accepts_on_one_listing_reserve_it_once(seller, buyer, rival):
    for n in range(ROUNDS):
        listing = listing_create(seller=seller, title=f"Desk {n}", price=Decimal("50"))
        offers = [
            services.offer_propose(listing_id=listing.pk, buyer=who, amount="40")
            for who in (buyer, rival)
        ]
        results = race(
            *(
                lambda o=o: services.offer_move(offer_id=o.pk, user=seller, action="accept")
                for o in offers
            )
        )
        assert sorted(isinstance(r, IllegalMove) for r in results) == [False, True]
        statuses = sorted(Offer.objects.filter(listing=listing).values_list("status", flat=True))
        assert statuses == ["accepted", "declined"]
