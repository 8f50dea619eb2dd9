from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry, Source
from apps.audit.services import Actor
from apps.bookings import services
from apps.bookings.models import Business, Reservation
from apps.bookings.selectors import owner_email_delivery
from apps.bookings.topics import DASHBOARD_TOPIC, business_topic
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

from .conftest import STARTS_AT

pytestmark = pytest.mark.django_db


def test_business_create_announces_in_seed_004s_envelope_on_both_topics(owner):
    business = services.business_create(name="New Salon", subdomain="NewSalon ", owner=owner)
    [on_dashboard] = events_after(DASHBOARD_TOPIC)
    [on_business] = events_after(business_topic(business.pk))
    assert on_dashboard == on_business
    assert on_dashboard["type"] == "business_created"
    assert on_dashboard["payload"] == {
        "business": {"id": business.pk, "name": "New Salon", "subdomain": "newsalon"},
        "message": "New business 'New Salon' created",
    }
    assert on_dashboard["timestamp"].endswith("Z")


def test_business_fields_are_checked_and_named(owner):
    with pytest.raises(ValueError, match=r"^subdomain "):
        services.business_create(name="X", subdomain="-bad-", owner=owner)
    with pytest.raises(ValueError, match=r"^name may not be blank"):
        services.business_create(name="  ", subdomain="ok", owner=owner)
    with pytest.raises(ValueError, match=r"^owner no user"):
        services.business_create(name="X", subdomain="ok", owner=10**9)
    assert not Business.objects.exists()
    assert stream_offset(topic=DASHBOARD_TOPIC) == 0


def test_a_taken_subdomain_is_refused_and_nothing_is_announced(salon, owner):
    before = stream_offset(topic=DASHBOARD_TOPIC)
    with pytest.raises(services.SubdomainTaken):
        services.business_create(name="Copy", subdomain="olivia", owner=owner)
    assert stream_offset(topic=DASHBOARD_TOPIC) == before
    assert AuditEntry.objects.filter(action="business_created").count() == 1


def test_every_change_is_audited_with_who_where_before_and_after(salon, super_admin):
    actor = Actor(user=super_admin, source=Source.ADMIN)
    services.business_update(business_id=salon.pk, changes={"name": "Olivia & Co"}, actor=actor)
    entry = AuditEntry.objects.first()
    assert (entry.action, entry.source, entry.actor_id, entry.actor_name) == (
        "business_updated",
        "admin",
        super_admin.pk,
        "ada",
    )
    assert entry.before["name"] == "Olivia's Salon" and entry.after["name"] == "Olivia & Co"
    assert entry.changed_fields == ["name"]
    assert entry.message == "Business 'Olivia & Co' updated (name)"


def test_an_update_that_changes_nothing_writes_and_announces_nothing(salon):
    offset, entries = stream_offset(topic=DASHBOARD_TOPIC), AuditEntry.objects.count()
    services.business_update(business_id=salon.pk, changes={"name": "Olivia's Salon"})
    assert stream_offset(topic=DASHBOARD_TOPIC) == offset
    assert AuditEntry.objects.count() == entries


def test_reservation_lifecycle_events_carry_the_rest_fields(salon, reservation):
    services.reservation_update(reservation_id=reservation.pk, changes={"status": "cancelled"})
    reservation.refresh_from_db()
    assert reservation.cancelled_at is not None
    services.reservation_delete(reservation_id=reservation.pk)
    events = events_after(business_topic(salon.pk))
    assert [e["type"] for e in events] == [
        "business_created",
        "reservation_created",
        "reservation_updated",
        "reservation_deleted",
    ]
    assert events[1]["payload"]["reservation"] == {
        "id": reservation.pk,
        "business": salon.pk,
        "customer_name": "Carla",
        "customer_email": "carla@example.com",
        "service": "Haircut",
        "starts_at": "2026-11-23T14:00:00Z",
        "status": "pending",
    }
    assert events[2]["payload"]["message"].startswith("Reservation at 'Olivia's Salon' cancelled")
    assert [e.action for e in AuditEntry.objects.order_by("id")][-3:] == [
        "reservation_created",
        "reservation_updated",
        "reservation_deleted",
    ]


def test_one_business_events_never_reach_another_business_topic(salon, other_salon, reservation):
    assert all(
        e["type"] == "business_created" for e in events_after(business_topic(other_salon.pk))
    )


def rows_of(count):
    return [
        {
            "customer_name": f"Customer {i}",
            "customer_email": f"c{i}@example.com",
            "service": "Colour",
            "starts_at": STARTS_AT + timedelta(minutes=30 * i),
        }
        for i in range(count)
    ]


def test_an_import_of_500_is_all_or_nothing_in_a_few_statements(salon, super_admin, other_salon):
    rows = rows_of(500)
    bad = [*rows[:10], {**rows[10], "customer_email": "nope"}]
    with pytest.raises(ValueError, match=r"^rows\[10\]\.customer_email "):
        services.reservations_import(business_id=salon.pk, rows=bad)
    assert not Reservation.objects.exists()
    with CaptureQueriesContext(connection) as few:
        services.reservations_import(business_id=other_salon.pk, rows=rows_of(5))
    with CaptureQueriesContext(connection) as queries:
        services.reservations_import(business_id=salon.pk, rows=rows)
    assert Reservation.objects.filter(business=salon).count() == 500
    assert AuditEntry.objects.filter(action="reservation_created").count() == 505
    assert len(events_after(business_topic(salon.pk))) == 501
    # Reservations, audit entries, events and customers' emails go in bulk, and the owner
    # and each super admin are notified once: PostgreSQL runs 26 statements for 5 rows
    # as for 500 (SQLite splits each bulk insert by its bound-variable limit).
    if connection.vendor == "postgresql":
        assert len(queries) == len(few) == 26
    assert len(queries) <= 80


def test_audit_entries_are_append_only(salon):
    entry = AuditEntry.objects.get()
    with pytest.raises(Exception, match=r"append-only|never"):
        entry.message = "rewritten"
        entry.save()
    with pytest.raises(Exception, match=r"append-only|never"):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_rewrite_the_audit_log(salon):
    from django.db import transaction

    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEntry.objects.update(message="rewritten")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().message == "New business 'Olivia's Salon' created"


def test_owner_email_settings_take_each_or_a_daily_digest_only(owner):
    assert owner_email_delivery(owner_id=owner.pk) == "each"
    services.owner_email_settings_set(owner_id=owner.pk, delivery="daily_digest")
    assert owner_email_delivery(owner_id=owner.pk) == "daily_digest"
    with pytest.raises(ValueError, match=r"^delivery must be one of each, daily_digest"):
        services.owner_email_settings_set(owner_id=owner.pk, delivery="weekly")
    assert owner_email_delivery(owner_id=owner.pk) == "daily_digest"


@pytest.mark.parametrize("email", ["carla@exam\u202eple.com", '"car\x1bla"@example.com'])
def test_a_customer_email_with_a_control_or_direction_character_is_refused(salon, email):
    """Django's email validator lets U+202E through in a domain and ESC in a quoted local
    part; the service refuses them as in every name, so no caller stores one."""
    with pytest.raises(ValueError, match="customer_email contains"):
        services.reservation_create(
            business_id=salon.pk,
            customer_name="Carla",
            customer_email=email,
            service="Cut",
            starts_at=STARTS_AT,
        )
    assert not Reservation.objects.exists()
