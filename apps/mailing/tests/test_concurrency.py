"""Two runs of the send job at once, on PostgreSQL's row locks: each email goes out once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from apps.mailing import services
from apps.mailing.models import OutgoingEmail

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) are PostgreSQL's; make test runs on it")


def in_thread(function):
    """Run `function` on a thread of its own, with its own database connection."""

    def run(*args):
        try:
            return function(*args)
        finally:
            connections.close_all()

    return run


def test_two_runs_at_once_send_each_email_exactly_once(schedule):
    now = timezone.now()
    for n in range(30):
        schedule(f"note:{n}", now)
    start = threading.Barrier(2)

    def run(_):
        start.wait()
        return services.emails_send_due(now=now, limit=5)  # small claims: the runs interleave

    with ThreadPoolExecutor(2) as pool:
        while OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING).exists():
            list(pool.map(in_thread(run), range(2)))
    assert len(mail.outbox) == 30
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 30
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_run_skips_rows_another_run_holds_instead_of_waiting(schedule):
    now = timezone.now()
    held = schedule("note:held", now)
    free = schedule("note:free", now)
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            list(OutgoingEmail.objects.select_for_update().filter(pk=held.pk))
            locked.set()
            release.wait(10)

    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(in_thread(hold))
        assert locked.wait(5)
        try:
            claimed = services._claim_due(now, 10)  # returns at once, without the held row
        finally:
            release.set()
        holder.result(5)
    assert [email.pk for email in claimed] == [free.pk]
    assert services._deliver(claimed[0], now) == "sent"
    assert services.emails_send_due(now=now + timedelta(seconds=15)) == {"sent": 1}
