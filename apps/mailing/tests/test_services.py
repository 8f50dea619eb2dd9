"""Outgoing emails: one row per fact, sent when due, once, with retries for refused sends."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from apps.mailing import scheduling, services
from apps.mailing.models import OutgoingEmail
from apps.mailing.renderers import UnknownRenderer
from apps.notifications.kinds import UnknownKind
from apps.notifications.services import preference_set
from tidewire.testing.redis_server import free_port

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status


def test_scheduling_one_fact_twice_makes_one_row(schedule, clock):
    first = schedule("note:1", clock.now())
    again = schedule("note:1", clock.now() + timedelta(minutes=5))
    assert again.pk == first.pk
    assert OutgoingEmail.objects.count() == 1
    assert again.due_at == clock.now()


def test_a_typo_in_kind_or_renderer_fails_before_anything_is_written(ada, clock):
    with pytest.raises(UnknownKind):
        scheduling.email_schedule(
            recipient_id=ada.pk, kind="nope", renderer="test.note", key="k", due_at=clock.now()
        )
    with pytest.raises(UnknownRenderer):
        scheduling.email_schedule(
            recipient_id=ada.pk, kind="test_mail_note", renderer="nope", key="k", due_at=clock.now()
        )
    assert not OutgoingEmail.objects.exists()


def test_a_batch_has_one_pending_email_which_a_sooner_fact_moves_earlier(schedule, clock):
    now = clock.now()
    first = schedule("note:1", now + timedelta(minutes=5), batch="ada")
    later = schedule("note:2", now + timedelta(minutes=9), batch="ada")
    sooner = schedule("note:3", now + timedelta(minutes=2), batch="ada")
    assert first.pk == later.pk == sooner.pk
    first.refresh_from_db()
    assert first.due_at == now + timedelta(minutes=2)
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.create(
            recipient=first.recipient, kind="test_mail_note", renderer="test.note", key="x",
            batch="ada", due_at=now,
        )  # fmt: skip


def test_an_email_goes_out_when_due_and_not_before(schedule, clock):
    email = schedule("note:1", clock.now() + timedelta(seconds=60), context={"text": "hi"})
    assert services.emails_send_due(now=clock.now() + timedelta(seconds=59)) == {}
    assert mail.outbox == []
    assert services.emails_send_due(now=clock.now() + timedelta(seconds=60)) == {"sent": 1}
    [sent] = mail.outbox
    assert sent.to == ["ada@example.com"]
    assert sent.subject == "Note for Ada"
    assert sent.body == "Hello Ada, hi"
    assert sent.alternatives[0] == ("<p>Hello <b>Ada</b></p>", "text/html")
    assert sent.extra_headers["Message-ID"] == f"<email.{email.pk}@localhost>"
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.subject) == (Status.SENT, 1, "Note for Ada")
    assert email.sent_at == clock.now() + timedelta(seconds=60)


def test_an_email_is_written_from_the_data_as_it_is_when_sent(schedule, ada, clock):
    schedule("note:1", clock.now())
    ada.first_name = "Augusta"
    ada.save()
    services.emails_send_due(now=clock.now())
    assert mail.outbox[0].subject == "Note for Augusta"


def test_a_second_run_sends_nothing_more(schedule, clock):
    schedule("note:1", clock.now())
    schedule("note:2", clock.now())
    assert services.emails_send_due(now=clock.now()) == {"sent": 2}
    assert services.emails_send_due(now=clock.now() + timedelta(hours=1)) == {}
    assert len(mail.outbox) == 2


def test_a_renderer_with_nothing_to_say_cancels_it(schedule, ada, clock):
    email = schedule("note:1", clock.now())
    ada.first_name = ""
    ada.save()
    assert services.emails_send_due(now=clock.now()) == {"cancelled": 1}
    email.refresh_from_db()
    assert (email.status, email.last_error) == (Status.CANCELLED, "no name to greet")
    assert mail.outbox == []


def test_no_address_or_emails_turned_off_cancel_it(schedule, ada, clock):
    off = schedule("note:1", clock.now())
    preference_set(user_id=ada.pk, kind="test_mail_note", channel="email", enabled=False)
    assert services.emails_send_due(now=clock.now()) == {"cancelled": 1}
    preference_set(user_id=ada.pk, kind="test_mail_note", channel="email", enabled=True)
    ada.email = ""
    ada.save()
    no_address = schedule("note:2", clock.now())
    assert services.emails_send_due(now=clock.now()) == {"cancelled": 1}
    off.refresh_from_db()
    no_address.refresh_from_db()
    assert off.last_error == "the recipient turned these emails off"
    assert no_address.last_error == "the recipient has no email address"
    assert mail.outbox == []


def test_a_refused_send_is_retried_with_backoff_then_given_up(schedule, clock, settings):
    # A real SMTP client against a port where nothing listens: connection refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    email = schedule("note:1", clock.now())
    now = clock.now()
    for attempt, wait in enumerate(services.RETRY_AFTER, start=1):
        assert services.emails_send_due(now=now) == {"retried": 1}
        email.refresh_from_db()
        assert (email.status, email.attempts) == (Status.PENDING, attempt)
        assert "Connection refused" in email.last_error or "ConnectionRefused" in email.last_error
        assert email.due_at == now + timedelta(seconds=wait)
        assert services.emails_send_due(now=email.due_at - timedelta(seconds=1)) == {}
        now = email.due_at
    assert services.emails_send_due(now=now) == {"failed": 1}
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, services.MAX_ATTEMPTS)
    assert services.emails_send_due(now=now + timedelta(days=1)) == {}


def test_a_send_that_works_again_goes_out_once(schedule, clock, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    schedule("note:1", clock.now())
    assert services.emails_send_due(now=clock.now()) == {"retried": 1}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = clock.now() + timedelta(seconds=services.RETRY_AFTER[0])
    assert services.emails_send_due(now=later) == {"sent": 1}
    assert len(mail.outbox) == 1


def test_without_row_locks_a_send_interrupted_by_a_crash_is_failed_and_never_sent_again(
    schedule, clock, monkeypatch
):
    """SQLite's way (no row locks): a claim whose process died may have gone out: not resent."""
    from django.db import connection

    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    crashed = schedule("note:1", clock.now())
    waiting = schedule("note:2", clock.now() + timedelta(minutes=1))
    [claimed] = services._claim_due(clock.now(), 10)  # the process dies after this
    assert claimed.pk == crashed.pk
    # The restart: the waiting row is still there and goes out; the claimed one waits out
    # its claim, then is failed, never sent.
    later = clock.now() + timedelta(minutes=1)
    assert services.emails_send_due(now=later) == {"sent": 1}
    assert services.emails_send_due(now=later + services.CLAIM_TIMEOUT) == {"failed": 1}
    crashed.refresh_from_db()
    waiting.refresh_from_db()
    assert crashed.status == Status.FAILED and "not sent again" in crashed.last_error
    assert waiting.status == Status.SENT
    assert [m.subject for m in mail.outbox] == ["Note for Ada"]


@pytest.fixture
def row_locks():
    from django.db import connection

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("row locks (SKIP LOCKED) are PostgreSQL's; make test runs on it")


@pytest.mark.postgres
def test_with_row_locks_a_send_whose_run_died_goes_out_once_with_the_next_run(
    row_locks, schedule, clock
):
    """PostgreSQL: a row left "sending" and unlocked has no live run: the next run sends it."""
    crashed = schedule("note:1", clock.now())
    [claimed] = services._claim_due(clock.now(), 10)  # the process dies after this
    assert claimed.pk == crashed.pk
    assert services.emails_send_due(now=clock.now()) == {"sent": 1}
    assert services.emails_send_due(now=clock.now()) == {}
    crashed.refresh_from_db()
    assert crashed.status == Status.SENT and crashed.attempts == 2  # the interrupted one counts
    assert [m.subject for m in mail.outbox] == ["Note for Ada"]


@pytest.mark.postgres
def test_with_row_locks_a_row_that_keeps_killing_its_sender_is_given_up(row_locks, schedule, clock):
    poison = schedule("note:1", clock.now())
    for _ in range(services.MAX_ATTEMPTS):
        assert len(services._claim_due(clock.now(), 10)) == 1  # and the process dies
    assert services._claim_due(clock.now(), 10) == []
    poison.refresh_from_db()
    assert poison.status == Status.FAILED and services.INTERRUPTED in poison.last_error
    assert mail.outbox == []


def test_putting_back_a_batch_email_joins_the_pending_one_that_came_meanwhile(
    schedule, clock, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    first = schedule("note:1", clock.now(), batch="ada")
    [claimed] = services._claim_due(clock.now(), 10)
    second = schedule("note:2", clock.now() + timedelta(hours=1), batch="ada")  # a new pending
    assert second.pk != first.pk
    assert services._deliver(claimed, clock.now()) == "retried"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.CANCELLED and "joined" in first.last_error
    assert second.due_at == clock.now() + timedelta(seconds=services.RETRY_AFTER[0])


def test_the_conditional_claim_lets_one_run_win(schedule, clock, monkeypatch):
    """SQLite's way (no row locks), run here on whichever database the suite uses."""
    from django.db import connection

    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    schedule("note:1", clock.now())
    schedule("note:2", clock.now())
    first = services._claim_due(clock.now(), 10)
    second = services._claim_due(clock.now(), 10)
    assert len(first) == 2 and second == []


def test_purge_forgets_old_emails_done_with_and_keeps_pending_ones(schedule, clock):
    sent = schedule("note:1", clock.now())
    pending = schedule("note:2", clock.now() + timedelta(days=365))
    services.emails_send_due(now=clock.now())
    clock.advance(91 * 24 * 3600)
    assert services.emails_purge(older_than_days=90) == 1
    assert list(OutgoingEmail.objects.values_list("pk", flat=True)) == [pending.pk]
    assert not OutgoingEmail.objects.filter(pk=sent.pk).exists()
