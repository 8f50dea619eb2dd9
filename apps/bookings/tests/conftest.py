"""People and things for the bookings tests: two owners, a super admin, a salon each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from apps.bookings import services
from tidewire.testing.clients import bearer_client

STARTS_AT = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@pytest.fixture
def owner(db):
    return User.objects.create_user(
        username="olivia", password="olivia-pass-1", email="olivia@example.com"
    )


@pytest.fixture
def other_owner(db):
    return User.objects.create_user(
        username="oscar", password="oscar-pass-1", email="oscar@example.com"
    )


@pytest.fixture
def super_admin(db):
    return User.objects.create_superuser(
        username="ada", password="ada-pass-1", email="ada@example.com"
    )


@pytest.fixture
def salon(owner):
    return services.business_create(name="Olivia's Salon", subdomain="olivia", owner=owner)


@pytest.fixture
def other_salon(other_owner):
    return services.business_create(name="Oscar's Cuts", subdomain="oscar", owner=other_owner)


def book(business, **values):
    """A reservation at `business`: Carla's haircut at STARTS_AT unless `values` say otherwise."""
    return services.reservation_create(
        business_id=business.pk,
        **{
            "customer_name": "Carla",
            "customer_email": "carla@example.com",
            "service": "Haircut",
            "starts_at": STARTS_AT,
            **values,
        },
    )


@pytest.fixture
def reservation(salon):
    return book(salon)


@pytest.fixture
def as_owner(owner):
    return bearer_client(owner)


@pytest.fixture
def as_other_owner(other_owner):
    return bearer_client(other_owner)


@pytest.fixture
def as_admin(super_admin):
    return bearer_client(super_admin)
