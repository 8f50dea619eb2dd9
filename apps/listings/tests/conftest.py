"""People and clients for the listings tests: a seller, a buyer and a super admin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from apps.listings import services
from tidewire.testing.clients import bearer_client


@pytest.fixture
def seller(db):
    return User.objects.create_user(username="sam", password="sam-pass-1")


@pytest.fixture
def buyer(db):
    return User.objects.create_user(username="bea", password="bea-pass-1")


@pytest.fixture
def listing(seller):
    return services.listing_create(
        seller=seller, title="Laptop", description="ThinkPad", price=Decimal("450")
    )


@pytest.fixture
def as_seller(seller):
    return bearer_client(seller)


@pytest.fixture
def as_buyer(buyer):
    return bearer_client(buyer)
