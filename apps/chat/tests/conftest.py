"""People and a conversation for the chat's tests: a seller, a buyer and a stranger."""

from decimal import Decimal

import pytest


def _user(username):
    from django.contrib.auth.models import User

    return User.objects.create_user(
        username=username, password=f"{username}-pass-1", email=f"{username}@example.com"
    )


@pytest.fixture
def seller(db):
    return _user("seller")


@pytest.fixture
def buyer(db):
    return _user("buyer")


@pytest.fixture
def stranger(db):
    return _user("stranger")


@pytest.fixture
def listing(seller):
    from apps.listings.services import listing_create

    return listing_create(seller=seller, title="Laptop for Sale", price=Decimal("450"))


@pytest.fixture
def conversation(listing, buyer):
    from apps.chat.services import conversation_open

    conversation, _ = conversation_open(listing_id=listing.pk, buyer=buyer)
    return conversation
