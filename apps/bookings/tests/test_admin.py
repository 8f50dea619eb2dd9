"""Edits in Django admin go through the services: broadcast, and audited with source "admin"."""

import pytest

from apps.audit.models import AuditEntry
from apps.bookings import services
from apps.bookings.models import Business, Reservation
from apps.bookings.topics import DASHBOARD_TOPIC, business_topic
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(super_admin, client):
    client.force_login(super_admin)
    return client


def business_form(business, **changes):
    return {"name": business.name, "subdomain": business.subdomain, "owner": business.owner_id,
            **changes}  # fmt: skip


def reservation_form(reservation, **changes):
    return {
        "customer_name": reservation.customer_name,
        "customer_email": reservation.customer_email,
        "service": reservation.service,
        "starts_at_0": "2026-11-23",
        "starts_at_1": "14:00:00",
        "status": reservation.status,
        **changes,
    }


def test_a_business_changed_in_admin_is_announced_and_audited_as_admin(staff, salon, super_admin):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = staff.post(
        f"/admin/bookings/business/{salon.pk}/change/", business_form(salon, name="Olivia & Co")
    )
    assert response.status_code == 302
    [event] = events_after(DASHBOARD_TOPIC, offset)
    assert event["type"] == "business_updated"
    assert event["payload"]["business"]["name"] == "Olivia & Co"
    assert events_after(business_topic(salon.pk))[-1] == event
    entry = AuditEntry.objects.filter(action="business_updated").get()
    assert (entry.source, entry.actor_id, entry.actor_name) == ("admin", super_admin.pk, "ada")
    assert entry.before["name"] == "Olivia's Salon" and entry.after["name"] == "Olivia & Co"


def test_saving_a_business_unchanged_announces_nothing(staff, salon):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = staff.post(f"/admin/bookings/business/{salon.pk}/change/", business_form(salon))
    assert response.status_code == 302
    assert events_after(DASHBOARD_TOPIC, offset) == []


def test_a_business_added_and_deleted_in_admin_is_announced(staff, owner):
    response = staff.post(
        "/admin/bookings/business/add/",
        {"name": "New Salon", "subdomain": "new", "owner": owner.pk},
    )
    assert response.status_code == 302
    business = Business.objects.get()
    response = staff.post(f"/admin/bookings/business/{business.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Business.objects.exists()
    assert [e["type"] for e in events_after(DASHBOARD_TOPIC)] == [
        "business_created",
        "business_deleted",
    ]
    assert set(AuditEntry.objects.values_list("source", flat=True)) == {"admin"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"subdomain": "oscar"}, "subdomain"),  # taken
    ({"subdomain": "Not A Label"}, "subdomain"),
    ({"name": "Bad\u202ename"}, "name"),
])  # fmt: skip
def test_admin_refuses_bad_business_input_naming_the_field(
    staff, salon, other_salon, changes, field
):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = staff.post(
        f"/admin/bookings/business/{salon.pk}/change/", business_form(salon, **changes)
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert events_after(DASHBOARD_TOPIC, offset) == []


def test_an_inactive_owner_is_a_form_error_not_a_server_error(staff, salon, other_owner):
    other_owner.is_active = False
    other_owner.save()
    response = staff.post(
        f"/admin/bookings/business/{salon.pk}/change/", business_form(salon, owner=other_owner.pk)
    )
    assert response.status_code == 200
    assert "not an active user" in " ".join(response.context["adminform"].form.errors["owner"])
    assert Business.objects.get(pk=salon.pk).owner_id == salon.owner_id


def test_a_reservation_cancelled_in_admin_is_announced_and_audited_as_admin(
    staff, salon, reservation, super_admin
):
    offset = stream_offset(topic=business_topic(salon.pk))
    response = staff.post(
        f"/admin/bookings/reservation/{reservation.pk}/change/",
        reservation_form(reservation, status="cancelled"),
    )
    assert response.status_code == 302
    [event] = events_after(business_topic(salon.pk), offset)
    assert event["type"] == "reservation_updated"
    assert event["payload"]["reservation"]["status"] == "cancelled"
    entry = AuditEntry.objects.filter(action="reservation_updated").get()
    assert (entry.source, entry.actor_id) == ("admin", super_admin.pk)
    assert entry.changed_fields == ["status"]
    reservation.refresh_from_db()
    assert reservation.cancelled_at is not None


def test_a_reservation_added_in_admin_goes_through_the_service(staff, salon):
    offset = stream_offset(topic=business_topic(salon.pk))
    response = staff.post(
        "/admin/bookings/reservation/add/",
        {
            "business": salon.pk,
            "customer_name": "Dana",
            "customer_email": "dana@EXAMPLE.com",
            "service": "Colour",
            "starts_at_0": "2026-11-24",
            "starts_at_1": "09:30:00",
            "status": "confirmed",
        },
    )
    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert reservation.customer_email == "dana@example.com"  # the service's normal form
    [event] = events_after(business_topic(salon.pk), offset)
    assert event["type"] == "reservation_created"
    assert AuditEntry.objects.filter(action="reservation_created").get().source == "admin"


def test_a_bulk_delete_in_admin_announces_each(staff, salon, reservation):
    second = services.reservation_create(
        business_id=salon.pk,
        customer_name="Dana",
        customer_email="dana@example.com",
        service="Colour",
        starts_at=reservation.starts_at,
    )
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = staff.post(
        "/admin/bookings/reservation/",
        {
            "action": "delete_selected",
            "_selected_action": [reservation.pk, second.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Reservation.objects.exists()
    assert [e["type"] for e in events_after(DASHBOARD_TOPIC, offset)] == ["reservation_deleted"] * 2
    assert AuditEntry.objects.filter(action="reservation_deleted", source="admin").count() == 2


def test_the_business_of_a_reservation_is_read_only_once_made(
    staff, salon, reservation, other_salon
):
    response = staff.post(
        f"/admin/bookings/reservation/{reservation.pk}/change/",
        {**reservation_form(reservation, service="Trim"), "business": other_salon.pk},
    )
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert (reservation.business_id, reservation.service) == (salon.pk, "Trim")


def test_owner_email_settings_are_read_only_in_admin(staff, owner):
    services.owner_email_settings_set(owner_id=owner.pk, delivery="daily_digest")
    assert staff.get("/admin/bookings/owneremailsettings/").status_code == 200
    assert staff.get("/admin/bookings/owneremailsettings/add/").status_code == 403
