"""Scheduling: plain addresses (people who are no users), facts a batch collects, many at once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.mailing import services
from apps.mailing.models import OutgoingEmail
from apps.mailing.scheduling import email_schedule, email_schedule_many
from tidewire.testing.redis_server import free_port

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status


def receipt(key, due_at, **options):
    return email_schedule(kind="test_mail_receipt", renderer="test.receipt", key=key,
                          due_at=due_at, **options)  # fmt: skip


def test_an_essential_email_goes_to_a_plain_address_without_unsubscribe_headers(clock):
    email = receipt("r:1", clock.now(), to_address="carla@example.com", context={"facts": [1]})
    assert services.emails_send_due(now=clock.now()) == {"sent": 1}
    [sent] = mail.outbox
    assert sent.to == ["carla@example.com"]
    assert "List-Unsubscribe" not in sent.extra_headers
    assert sent.extra_headers["Message-ID"] == f"<email.{email.pk}@localhost>"
    email.refresh_from_db()
    assert (email.status, email.recipient_id) == (Status.SENT, None)


def test_a_user_gets_the_unsubscribe_headers_still(schedule, clock):
    schedule("note:1", clock.now())
    services.emails_send_due(now=clock.now())
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


def test_exactly_one_destination_and_plain_addresses_for_essential_kinds_only(ada, clock):
    with pytest.raises(ValueError, match="either"):
        receipt("r:1", clock.now())
    with pytest.raises(ValueError, match="either"):
        receipt("r:1", clock.now(), recipient_id=ada.pk, to_address="x@example.com")
    with pytest.raises(ValueError, match="not essential"):
        email_schedule(kind="test_mail_note", renderer="test.note", key="n:1",
                       due_at=clock.now(), to_address="x@example.com")  # fmt: skip
    assert not OutgoingEmail.objects.exists()
    # The database holds the rule too.
    for destination in ({}, {"recipient": ada, "to_address": "x@example.com"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            OutgoingEmail.objects.create(
                kind="test_mail_receipt", renderer="test.receipt", key="x",
                due_at=clock.now(), **destination,
            )  # fmt: skip


def test_facts_joining_a_batch_are_listed_in_its_one_pending_email(ada, clock):
    now = clock.now()
    rows = [
        receipt(
            f"r:{n}", now + timedelta(hours=1), recipient_id=ada.pk, batch="day", facts=[{"n": n}]
        )
        for n in range(3)
    ]
    assert len({row.pk for row in rows}) == 1
    assert OutgoingEmail.objects.get().context == {"facts": [{"n": 0}, {"n": 1}, {"n": 2}]}
    # The same fact again adds nothing.
    receipt("r:1b", now, recipient_id=ada.pk, batch="day", facts=[{"n": 1}])
    assert len(OutgoingEmail.objects.get().context["facts"]) == 3


def test_a_retried_batch_email_hands_its_facts_to_the_pending_one_that_came_meanwhile(
    ada, clock, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # refused
    first = receipt("r:1", clock.now(), recipient_id=ada.pk, batch="day", facts=["one"])
    [claimed] = services._claim_due(clock.now(), 10)
    second = receipt("r:2", clock.now(), recipient_id=ada.pk, batch="day", facts=["two"])
    assert services._deliver(claimed, clock.now()) == "retried"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert second.context["facts"] == ["one", "two"]  # nothing told is lost


def test_many_emails_are_scheduled_in_one_statement_once_each(clock):
    emails = [{"key": f"r:{n}", "to_address": f"c{n}@example.com", "context": {"facts": [n]}}
              for n in range(50)]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        email_schedule_many(
            kind="test_mail_receipt", renderer="test.receipt", due_at=clock.now(), emails=emails
        )
    assert len(queries) == 1
    email_schedule_many(
        kind="test_mail_receipt", renderer="test.receipt", due_at=clock.now(), emails=emails[:5]
    )
    assert OutgoingEmail.objects.count() == 50
    assert services.emails_send_due(now=clock.now(), limit=100) == {"sent": 50}
    with pytest.raises(ValueError, match="not essential"):
        email_schedule_many(kind="test_mail_note", renderer="test.note", due_at=clock.now(),
                            emails=[{"key": "n", "to_address": "x@example.com"}])  # fmt: skip
