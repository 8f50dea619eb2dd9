"""People, businesses and a settable clock for the dashboard tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from django.contrib.auth.models import User

from apps.bookings import services
from apps.bookings.models import Business, Reservation
from tidewire.testing.clock import FrozenClock


@pytest.fixture
def super_admin(db):
    return User.objects.create_superuser(username="ada", password="ada-pass-1")


@pytest.fixture
def owner(db):
    return User.objects.create_user(username="olivia", password="olivia-pass-1")


@pytest.fixture
def other_owner(db):
    return User.objects.create_user(username="oscar", password="oscar-pass-1")


@pytest.fixture
def salon(owner) -> Business:
    return services.business_create(name="Olivia's Salon", subdomain="olivia", owner=owner)


@pytest.fixture
def other_salon(other_owner) -> Business:
    return services.business_create(name="Oscar's Cuts", subdomain="oscar", owner=other_owner)


@pytest.fixture
def book(salon) -> Callable[..., Reservation]:
    """`book(starts_at, business=salon, customer="Carla", status="pending")`: a reservation."""

    def make(
        starts_at: datetime,
        *,
        business: Business | None = None,
        customer: str = "Carla",
        status: str = "pending",
    ) -> Reservation:
        return services.reservation_create(
            business_id=(business or salon).pk,
            customer_name=customer,
            customer_email="carla@example.com",
            service="Haircut",
            starts_at=starts_at,
            status=status,
        )

    return make


@pytest.fixture
def frozen(monkeypatch) -> Callable[[datetime], FrozenClock]:
    """`frozen(moment)`: Django's now() reads `moment` (auto_now_add and services too)."""
    from django.utils import timezone

    def at(moment: datetime) -> FrozenClock:
        clock = FrozenClock(moment)
        monkeypatch.setattr(timezone, "now", clock.now)
        return clock

    return at
