"""Reservation emails on a frozen clock: the owner's (each, or a daily digest) and the
customer's confirmations, written from what is true when they go."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from apps.bookings import services
from apps.bookings.emails import digest_due
from apps.mailing.models import OutgoingEmail
from apps.mailing.services import emails_send_due
from apps.notifications.services import preference_set

from .conftest import STARTS_AT, book

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # a Sunday; the digest goes at 07:00 UTC


@pytest.fixture
def now(clock):
    clock.advance((MORNING - clock.now()).total_seconds())
    return clock


def cancel(reservation):
    services.reservation_update(reservation_id=reservation.pk, changes={"status": "cancelled"})


def sent_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def send(clock):
    return emails_send_due(now=clock.now(), limit=1000)


def test_a_reservation_emails_its_customer_and_its_owner_at_once(now, salon):
    book(salon)
    assert send(now) == {"sent": 2}
    [confirmation] = sent_to("carla@example.com")
    assert (
        confirmation.subject
        == "Your reservation at Olivia's Salon: Haircut on Mon 23 Nov, 14:00 UTC"
    )
    assert "Status: pending" in confirmation.body
    assert "because this address was given on Tidewire" in confirmation.body
    assert "List-Unsubscribe" not in confirmation.extra_headers  # essential, and no account
    [owner_email] = sent_to("olivia@example.com")
    assert owner_email.subject == (
        "New reservation at Olivia's Salon: Carla, Haircut on Mon 23 Nov 14:00 UTC"
    )
    assert "Carla <carla@example.com>, Haircut at Olivia's Salon" in owner_email.body
    assert "List-Unsubscribe" in owner_email.extra_headers  # an owner may turn these off
    assert send(now) == {}  # once


def test_a_cancellation_emails_both_again(now, salon):
    reservation = book(salon)
    send(now)
    now.advance(60)
    cancel(reservation)
    assert send(now) == {"sent": 2}
    assert sent_to("carla@example.com")[-1].subject == (
        "Cancelled: your reservation at Olivia's Salon on Mon 23 Nov, 14:00 UTC"
    )
    assert sent_to("olivia@example.com")[-1].subject.startswith(
        "Cancelled at Olivia's Salon: Carla"
    )


def test_a_reservation_deleted_before_its_emails_go_sends_none(now, salon):
    reservation = book(salon)
    services.reservation_delete(reservation_id=reservation.pk)
    assert send(now) == {"cancelled": 2}
    assert mail.outbox == []


def test_cancelled_before_the_confirmation_went_only_the_cancellation_goes(now, salon):
    cancel(book(salon))
    assert send(now) == {"cancelled": 2, "sent": 2}
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Cancelled",
        "Cancelled at Olivia's Salon",
    ]


def test_customers_are_not_told_of_appointments_that_have_begun(now, salon):
    book(salon, starts_at=MORNING - timedelta(days=1))  # an import of past bookings
    assert send(now) == {"cancelled": 1, "sent": 1}
    assert [m.to for m in mail.outbox] == [["olivia@example.com"]]  # the owner still hears


def test_the_email_says_what_is_true_when_it_goes(now, salon):
    reservation = book(salon)
    services.reservation_update(reservation_id=reservation.pk, changes={"service": "Colour"})
    send(now)
    assert all("Colour" in m.subject for m in mail.outbox)


def test_an_import_emails_each_customer_and_its_owner_once(now, salon):
    rows = [
        {
            "customer_name": f"C{i}",
            "customer_email": f"c{i}@example.com",
            "service": "Cut",
            "starts_at": STARTS_AT + timedelta(minutes=30 * i),
        }
        for i in range(60)
    ]
    services.reservations_import(business_id=salon.pk, rows=rows)
    assert send(now) == {"sent": 61}
    [owner_email] = sent_to("olivia@example.com")
    assert owner_email.subject == "60 new reservations at Olivia's Salon"
    assert owner_email.body.count("- ") == 51 and "and 10 more" in owner_email.body
    assert sent_to("c59@example.com")[0].subject.startswith("Your reservation at Olivia's Salon")


def test_a_daily_digest_collects_the_days_facts_and_customers_still_hear_at_once(now, salon, owner):
    services.owner_email_settings_set(owner_id=owner.pk, delivery="daily_digest")
    first = book(salon, customer_name="Ann", customer_email="ann@example.com")
    now.advance(2 * 3600)
    book(salon, customer_name="Bea", customer_email="bea@example.com")
    cancel(first)
    # To customers: Bea's confirmation and Ann's cancellation (her confirmation: cancelled).
    assert send(now) == {"sent": 2, "cancelled": 1}
    assert sent_to("olivia@example.com") == []
    [digest] = OutgoingEmail.objects.filter(recipient=owner, status="pending")
    assert digest.due_at == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    assert len(digest.context["facts"]) == 3
    now.advance((digest.due_at - now.now()).total_seconds() - 1)
    assert send(now) == {}
    now.advance(1)
    assert send(now) == {"sent": 1}
    [email] = sent_to("olivia@example.com")
    assert email.subject == "Your reservations: 1 new, 1 cancelled"
    assert "New reservations:" in email.body and "Bea <bea@example.com>" in email.body
    assert "Cancelled:" in email.body and "Ann <ann@example.com>" in email.body
    # A fact after the hour waits for the next day's digest.
    book(salon, customer_name="Cal", customer_email="cal@example.com")
    [tomorrow] = OutgoingEmail.objects.filter(recipient=owner, status="pending")
    assert tomorrow.due_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def test_the_digest_hour_is_a_setting(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "BOOKING_DIGEST_HOUR": 18}
    assert digest_due(MORNING) == datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    assert digest_due(MORNING.replace(hour=17, minute=59)) == MORNING.replace(hour=18)
    assert digest_due(MORNING.replace(hour=18)) == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    assert digest_due(MORNING.replace(hour=19)) == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def test_an_owner_who_turned_reservation_emails_off_gets_none_and_customers_still_do(
    now, salon, owner
):
    preference_set(user_id=owner.pk, kind="booking_reservation", channel="email", enabled=False)
    book(salon)
    assert send(now) == {"sent": 1, "cancelled": 1}
    assert [m.to for m in mail.outbox] == [["carla@example.com"]]


def test_a_business_given_away_before_the_email_goes_is_not_told_to_its_old_owner(
    now, salon, other_owner
):
    book(salon)
    services.business_update(business_id=salon.pk, changes={"owner": other_owner})
    assert send(now) == {"sent": 1, "cancelled": 1}
    assert sent_to("olivia@example.com") == []


def test_what_a_customer_typed_is_escaped_in_html(now, salon):
    book(salon, customer_name="<b>Eve</b>", customer_email="eve@example.com")
    send(now)
    [confirmation] = sent_to("eve@example.com")
    html = confirmation.alternatives[0][0]
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "<b>Eve</b>" not in html
    assert "Hi <b>Eve</b>," in confirmation.body  # plain text stays as typed
