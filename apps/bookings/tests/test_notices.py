"""The bell: super admins hear of new businesses and of reservations made or cancelled anywhere,
an owner of those at their businesses; an import is one notification each; nobody hears of
their own change; all of it only if the change commits."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from apps.audit.services import Actor
from apps.bookings import services
from apps.mailing.models import OutgoingEmail
from apps.notifications.models import Notification
from apps.notifications.topics import notifications_topic
from tidewire.testing.events import events_after

from .conftest import STARTS_AT, book

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(db):
    return User.objects.create_superuser(username="grace", password="grace-pass-1")


def notes(user):
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("id")
        .values("kind", "message", "link", "dedupe_key")
    )


def test_every_super_admin_hears_of_a_new_business_but_its_owner_does_not(
    owner, super_admin, second_admin
):
    business = services.business_create(name="New Salon", subdomain="new", owner=owner)
    expected = {
        "kind": "booking_activity",
        "message": "New business 'New Salon' created",
        "link": "/dashboard/",
        "dedupe_key": f"bookings.business:{business.pk}:created",
    }
    assert notes(super_admin) == notes(second_admin) == [expected]
    assert notes(owner) == []
    [event] = events_after(notifications_topic(super_admin.pk))
    assert (event["type"], event["unread_count"]) == ("notification", 1)


def test_nobody_is_notified_of_their_own_change(owner, super_admin, second_admin):
    services.business_create(
        name="New Salon", subdomain="new", owner=owner, actor=Actor(user=super_admin)
    )
    assert notes(super_admin) == []
    assert len(notes(second_admin)) == 1


def test_a_reservation_notifies_its_owner_and_super_admins_in_their_kinds(
    salon, owner, other_owner, super_admin
):
    Notification.objects.all().delete()
    reservation = book(salon)
    message = "New reservation at 'Olivia's Salon': Carla, Haircut on 2026-11-23 14:00"
    key = f"bookings.reservation:{reservation.pk}:created"
    assert notes(owner) == [
        {"kind": "booking_reservation", "message": message, "link": "/business/", "dedupe_key": key}
    ]
    assert notes(super_admin) == [
        {"kind": "booking_activity", "message": message, "link": "/dashboard/", "dedupe_key": key}
    ]
    assert notes(other_owner) == []


def test_an_import_of_500_is_one_notification_for_each_recipient(salon, owner, super_admin):
    Notification.objects.all().delete()
    rows = [
        {
            "customer_name": f"C{i}",
            "customer_email": f"c{i}@example.com",
            "service": "Cut",
            "starts_at": STARTS_AT + timedelta(minutes=i),
        }
        for i in range(500)
    ]
    made = services.reservations_import(business_id=salon.pk, rows=rows)
    for user in (owner, super_admin):
        [note] = notes(user)
        assert note["message"] == "500 reservations imported at 'Olivia's Salon'"
        assert note["dedupe_key"] == f"bookings.reservations:{made[0].pk}-{made[-1].pk}:imported"


def test_a_cancellation_notifies_and_other_changes_do_not(salon, reservation, owner, super_admin):
    Notification.objects.all().delete()
    services.reservation_update(reservation_id=reservation.pk, changes={"status": "confirmed"})
    services.reservation_update(reservation_id=reservation.pk, changes={"service": "Trim"})
    assert notes(owner) == notes(super_admin) == []
    services.reservation_update(reservation_id=reservation.pk, changes={"status": "cancelled"})
    [note] = notes(owner)
    assert note["message"] == (
        "Reservation at 'Olivia's Salon' cancelled: Carla, Trim on 2026-11-23 14:00"
    )
    assert note["dedupe_key"].startswith(f"bookings.reservation:{reservation.pk}:cancelled:")
    assert len(notes(super_admin)) == 1
    services.reservation_delete(reservation_id=reservation.pk)
    assert len(notes(owner)) == 1  # a deletion is not a cancellation


def test_cancelled_again_after_being_restored_is_a_new_fact(clock, salon, reservation, owner):
    for status in ("cancelled", "pending", "cancelled"):
        services.reservation_update(reservation_id=reservation.pk, changes={"status": status})
        clock.advance(60)
    assert [n["message"].split(":")[0] for n in notes(owner)[1:]] == [
        "Reservation at 'Olivia's Salon' cancelled"
    ] * 2


def test_an_owner_who_is_a_super_admin_hears_once_as_the_owner(super_admin):
    business = services.business_create(name="Ada's", subdomain="ada", owner=super_admin)
    Notification.objects.all().delete()
    book(business)
    assert [n["kind"] for n in notes(super_admin)] == ["booking_reservation"]


def test_a_change_rolled_back_notifies_and_emails_nobody(salon, owner, super_admin):
    Notification.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        book(salon)
        raise RuntimeError("the caller's transaction fails after the service")
    assert not Notification.objects.exists()
    assert not OutgoingEmail.objects.exists()
