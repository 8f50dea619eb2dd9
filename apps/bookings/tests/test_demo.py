from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.demo import seed_accounts
from apps.audit.models import AuditEntry
from apps.bookings.demo import DAYS_BACK, seed_bookings
from apps.bookings.models import Business, Reservation
from apps.bookings.topics import DASHBOARD_TOPIC
from tidewire.streams import stream_offset

pytestmark = pytest.mark.django_db


def test_demo_bookings_fill_thirty_days_for_two_owners():
    seed_accounts()
    created = seed_bookings()
    assert created == Business.objects.count() + Reservation.objects.count()
    assert set(Business.objects.values_list("owner__username", flat=True)) == {"owner", "owner2"}
    now = timezone.now()
    booked_days = {
        (now - r.created_at).days for r in Reservation.objects.all() if r.created_at <= now
    }
    # Every day of the last 30 has bookings: the charts are full, not a spike at "now".
    assert booked_days >= set(range(DAYS_BACK - 1))
    assert Reservation.objects.filter(starts_at__gt=now).exists()
    cancelled = Reservation.objects.filter(status="cancelled")
    assert cancelled.exists() and not cancelled.filter(cancelled_at=None).exists()
    assert not Reservation.objects.filter(created_at__lt=now - timedelta(days=DAYS_BACK)).exists()
    # Made through the services: audited and announced like any other change.
    assert AuditEntry.objects.count() == created
    assert stream_offset(topic=DASHBOARD_TOPIC) == created


def test_demo_bookings_are_made_once():
    seed_accounts()
    seed_bookings()
    assert seed_bookings() == 0
