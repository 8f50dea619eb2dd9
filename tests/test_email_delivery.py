"""Emails through real parts: a Celery worker on Redis, or a server process alone, to SMTP.

A chat message left unread (the delay set to 0 here), or a reservation, schedules
its emails in the test database; the send job then runs in another process, which
renders them and hands them to a real SMTP server (aiosmtpd) that the test reads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from itertools import count

import pytest
from celery import Celery
from django.contrib.auth.models import User

from apps.bookings.services import business_create, reservation_create
from apps.chat.services import conversation_open, message_send
from apps.listings.services import listing_create
from apps.mailing.models import OutgoingEmail
from apps.mailing.unsubscribe import unsubscribe_token
from tidewire.celery_jobs import task_name
from tidewire.testing.celery_worker import CeleryWorker
from tidewire.testing.servers import ServerProcesses

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

SITE_URL = "https://tidewire.example"
SENDER = "Tidewire <noreply@tidewire.example>"
client_ids = count()


@pytest.fixture
def mail_env(database_url, smtp, settings):
    """What the other process needs: the test database, the SMTP server, no delay."""
    settings.TIDEWIRE = {**settings.TIDEWIRE, "MISSED_MESSAGE_DELAY": 0}
    settings.SITE_URL = SITE_URL
    return {
        "DATABASE_URL": database_url,
        "EMAIL_URL": smtp.url,
        "DEFAULT_FROM_EMAIL": SENDER,
        "SITE_URL": SITE_URL,
        "TIDEWIRE_MISSED_MESSAGE_DELAY": "0",
    }


@pytest.fixture
def chat():
    """A seller with an address, a buyer, and their conversation about a listing."""
    seller = User.objects.create_user(
        username="seller", password="seller-pass-1", email="seller@example.com"
    )
    buyer = User.objects.create_user(username="buyer", password="buyer-pass-1")
    listing = listing_create(seller=seller, title="Laptop for Sale", price=Decimal("450"))
    conversation, _ = conversation_open(listing_id=listing.pk, buyer=buyer)
    return seller, buyer, conversation


def buyer_writes(chat, body: str, *, conversation=None) -> None:
    _, buyer, first_conversation = chat
    conversation = conversation or first_conversation
    message_send(
        conversation_id=conversation.pk, sender=buyer, body=body, client_id=f"c{next(client_ids)}"
    )


def assert_missed_message_email(email, seller, body: str) -> None:
    assert email["To"] == "seller@example.com" and email["From"] == SENDER
    assert email["Subject"] == "1 unread message from buyer about Laptop for Sale"
    token = unsubscribe_token(user_id=seller.pk, kind="chat_message")
    # Folded onto a line of its own (it is long): the leading space is the fold's.
    assert email["List-Unsubscribe"].strip() == f"<{SITE_URL}/notifications/unsubscribe/{token}/>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert body in text and body in html


@pytest.fixture
def worker(mail_env, redis_server, tmp_path):
    """A real Celery worker (`celery -A config worker`) on a Redis database of its own."""
    broker = redis_server.url.rsplit("/", 1)[0] + "/5"  # apart from the suite's channel layer
    process = CeleryWorker(env=mail_env, broker=broker, log_path=tmp_path / "worker.log")
    process.start()
    try:
        yield Celery(broker=broker, backend=broker)
    finally:
        process.stop()
        print(f"--- celery worker log ---\n{process.log_tail()}")


@pytest.mark.redis
def test_a_celery_worker_sends_a_due_email_through_smtp_exactly_once(worker, smtp, chat):
    seller = chat[0]
    buyer_writes(chat, "Is it still available? Ça marche ✓")
    # The job as beat would send it; the worker may still be starting: the task waits in Redis.
    result = worker.send_task(task_name("send_due_emails"))
    assert result.get(timeout=30) == {"sent": 1}
    [email] = smtp.wait_for(1)
    assert smtp.recipients == [["seller@example.com"]]
    assert_missed_message_email(email, seller, "Is it still available? Ça marche ✓")
    # The job again (beat's next tick, or a second worker): nothing more is sent.
    assert worker.send_task(task_name("send_due_emails")).get(timeout=30) == {}
    assert len(smtp.messages) == 1
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


@pytest.mark.redis
def test_a_reservation_emails_its_owner_and_its_customer_through_a_worker(worker, smtp):
    owner = User.objects.create_user(username="olivia", password="x-pass-1", email="o@example.com")
    salon = business_create(name="Olivia's Salon", subdomain="olivia", owner=owner)
    reservation_create(
        business_id=salon.pk,
        customer_name="Carla",
        customer_email="carla@example.com",
        service="Haircut",
        starts_at=datetime(2036, 11, 24, 14, 0, tzinfo=UTC),  # ahead: customers hear of it
    )
    assert worker.send_task(task_name("send_due_emails")).get(timeout=30) == {"sent": 2}
    emails = {email["To"]: email for email in smtp.wait_for(2)}
    customer, owner_email = emails["carla@example.com"], emails["o@example.com"]
    assert (
        customer["Subject"]
        == "Your reservation at Olivia's Salon: Haircut on Mon 24 Nov, 14:00 UTC"
    )
    assert customer["From"] == SENDER and "List-Unsubscribe" not in customer
    assert "Status: pending" in customer.get_body(("plain",)).get_content()
    assert owner_email["Subject"] == (
        "New reservation at Olivia's Salon: Carla, Haircut on Mon 24 Nov 14:00 UTC"
    )
    token = unsubscribe_token(user_id=owner.pk, kind="booking_reservation")
    assert owner_email["List-Unsubscribe"].strip() == (
        f"<{SITE_URL}/notifications/unsubscribe/{token}/>"
    )
    html = unescape(owner_email.get_body(("html",)).get_content())
    assert "Carla <carla@example.com>, Haircut at Olivia's Salon" in html
    assert sorted(smtp.recipients) == [["carla@example.com"], ["o@example.com"]]


def test_without_redis_the_server_process_sends_due_emails_and_a_restart_loses_none(
    mail_env, smtp, chat, tmp_path
):
    seller = chat[0]
    buyer_writes(chat, "first, written while no server runs")
    server = ServerProcesses(tmp_path).new(env={**mail_env, "TIDEWIRE_JOB_RUNNER": "embedded"})
    try:
        server.start()  # the runner runs every job at start: the pending email goes out
        [first] = smtp.wait_for(1, timeout=20)
        assert_missed_message_email(first, seller, "first, written while no server runs")
        server.stop()
        # Another conversation (the first was emailed: its next email waits an hour).
        lamp = listing_create(seller=seller, title="Desk lamp", price=Decimal("20"))
        conversation, _ = conversation_open(listing_id=lamp.pk, buyer=chat[1])
        buyer_writes(chat, "second, while the server is down", conversation=conversation)
        assert OutgoingEmail.objects.filter(status="pending").count() == 1  # waits as a row
        server.start()
        second = smtp.wait_for(2, timeout=20)[1]
        assert "second, while the server is down" in second.get_body(("plain",)).get_content()
    finally:
        server.stop()
        print(f"--- server log ---\n{server.log_tail()}")
    assert len(smtp.messages) == 2
