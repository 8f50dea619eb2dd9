"""People and clients for the listings tests: a seller, a buyer and a super admin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from apps.listings import services
from tidewire.testing.sockets import access_token


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


def bearer_client(user) -> APIClient:
    """A REST client with a bearer token for `user`, as an API user would have."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token(user)}")
    return client


@pytest.fixture
def as_seller(seller):
    return bearer_client(seller)


@pytest.fixture
def as_buyer(buyer):
    return bearer_client(buyer)
