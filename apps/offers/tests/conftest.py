"""People, a listing and clients for the offers' tests: a seller, two buyers and a stranger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tidewire.testing.clients import bearer_client


def _user(username: str):
    from django.contrib.auth.models import User

    return User.objects.create_user(username=username, password=f"{username}-pass-1")


@pytest.fixture
def seller(db):
    return _user("sam")


@pytest.fixture
def buyer(db):
    return _user("bea")


@pytest.fixture
def rival(db):
    return _user("rob")


@pytest.fixture
def stranger(db):
    return _user("stan")


@pytest.fixture
def listing(seller):
    from apps.listings.services import listing_create

    return listing_create(seller=seller, title="Laptop", price=Decimal("100"))


@pytest.fixture
def offer(listing, buyer):
    from apps.offers.services import offer_propose

    return offer_propose(listing_id=listing.pk, buyer=buyer, amount="80")


@pytest.fixture
def client_of():
    return bearer_client
