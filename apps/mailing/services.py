"""Sending outgoing emails (scheduled by apps/mailing/scheduling.py): claimed, sent and marked,
once.

Sending goes claim → render → send → mark:

1. claim: a run of the send job moves due rows from pending to sending, in a
   short transaction of its own. On PostgreSQL, `SELECT … FOR UPDATE SKIP LOCKED`:
   two runs at once take different rows and neither waits. On SQLite (no row
   locks), a conditional `UPDATE … WHERE status = 'pending'` per row, which one
   run alone can win.
2. render: the row's renderer writes the email from the data as it is now, or
   cancels it (read meanwhile) or puts it back to wait.
3. send, through Django's email API (EMAIL_URL, or development's mailbox).
4. mark it sent, with the renderer's own bookkeeping, in one transaction.

A process that dies mid-run (a worker killed, an out-of-memory kill) must lose
no email and send none twice. On PostgreSQL, steps 3 and 4 run in one
transaction that holds the row's lock (`FOR UPDATE`) while the SMTP server
answers. A run claims one row at a time, right before sending it, so a row
still "sending" whose lock nobody holds was left by a run that died: the next
run claims it again with the pending ones (should two runs still meet on a row,
whoever locks it first sends it and the other finds it sent). A row is sent
twice only when its process dies between the SMTP server's "250 OK" and the
commit of the mark, a few milliseconds; the copy carries the same Message-ID,
by which mail systems merge copies (tests/hardening/test_faults.py measures
both cases). A row interrupted MAX_ATTEMPTS times is given up (an email that
kills its sender every time).

On SQLite, holding a write transaction through an SMTP exchange would stop
every other write, so the send is not guarded: a row whose run died is marked
failed after CLAIM_TIMEOUT, never sent again (at most once). The embedded
setup runs one process; a lost reminder is still in the app (the bell).

A send that raises (connection refused, a 4xx or 5xx answer) delivered nothing
and is retried with backoff, MAX_ATTEMPTS times; only a connection lost while
awaiting that very "250" can repeat one.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.notifications.models import Channel
from apps.notifications.selectors import preference_enabled
from tidewire.faults import EMAIL_SENT_BEFORE_MARK, crash_point

from .models import OutgoingEmail
from .renderers import Cancel, Letter, Reschedule, get_renderer
from .unsubscribe import unsubscribe_headers

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status

# Rows one run sends; the rest wait for the next run (every 15 s).
CLAIM_BATCH = 50
# Without row locks (SQLite), a claim older than this belongs to a run that died:
# far longer than one send takes (each SMTP step times out after EMAIL_TIMEOUT, 30 s).
CLAIM_TIMEOUT = timedelta(minutes=10)
INTERRUPTED = "interrupted while sending"
# Sends tried before an email is given up; waits after each failure, in seconds
# (the last repeats): a mail server that is down for an hour loses nothing.
MAX_ATTEMPTS = 5
RETRY_AFTER = (60, 300, 900, 3600)


def emails_send_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> dict[str, int]:
    """Send every email due at `now` (a run of the send job); counts by outcome."""
    now = now or timezone.now()
    outcomes: Counter[str] = Counter()
    if not _row_locks():
        outcomes["failed"] += _fail_interrupted(now)
    # One row claimed at a time, right before its send: a row "sending" that no run
    # holds locked is then one whose run died, never one waiting its turn in a batch.
    for _ in range(limit):
        claimed = _claim_due(now, 1)
        if not claimed:
            break
        outcomes[_deliver(claimed[0], now)] += 1
    return {name: count for name, count in outcomes.items() if count}


def emails_purge(*, older_than_days: float) -> int:
    """Delete emails done with (sent, cancelled, failed) created before the retention."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    done = (Status.SENT, Status.CANCELLED, Status.FAILED)
    deleted, _ = OutgoingEmail.objects.filter(status__in=done, created_at__lt=cutoff).delete()
    return deleted


def _row_locks() -> bool:
    """PostgreSQL's row locks guard each send (the module's docstring); SQLite has none."""
    return connection.features.has_select_for_update_skip_locked


def _fail_interrupted(now: datetime) -> int:
    return OutgoingEmail.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(
        status=Status.FAILED,
        last_error=f"{INTERRUPTED}: it may have gone out, so it is not sent again",
    )


def _claim_due(now: datetime, limit: int) -> list[OutgoingEmail]:
    due = OutgoingEmail.objects.filter(status=Status.PENDING, due_at__lte=now).order_by(
        "due_at", "id"
    )
    if _row_locks():
        with transaction.atomic():
            ids = _reclaim_interrupted(limit)
            ids += list(
                due.select_for_update(skip_locked=True).values_list("id", flat=True)[
                    : limit - len(ids)
                ]
            )
            OutgoingEmail.objects.filter(id__in=ids).update(status=Status.SENDING, claimed_at=now)
    else:
        ids = [
            pk
            for pk in due.values_list("id", flat=True)[:limit]
            if OutgoingEmail.objects.filter(pk=pk, status=Status.PENDING).update(
                status=Status.SENDING, claimed_at=now
            )
        ]
    claimed = OutgoingEmail.objects.filter(id__in=ids).select_related("recipient")
    return list(claimed.order_by("due_at", "id"))


def _reclaim_interrupted(limit: int) -> list[int]:
    """Rows "sending" that no run holds locked (their run died), locked for this one.

    Each counts as an attempt: one that kills its sender every time is given up.
    """
    left = OutgoingEmail.objects.filter(status=Status.SENDING).order_by("id")
    rows = list(left.select_for_update(skip_locked=True).values_list("id", "attempts")[:limit])
    if not rows:
        return []
    given_up = [pk for pk, attempts in rows if attempts + 1 >= MAX_ATTEMPTS]
    OutgoingEmail.objects.filter(id__in=[pk for pk, _ in rows]).update(
        attempts=F("attempts") + 1, last_error=INTERRUPTED
    )
    OutgoingEmail.objects.filter(id__in=given_up).update(status=Status.FAILED)
    return [pk for pk, _ in rows if pk not in given_up]


def _deliver(email: OutgoingEmail, now: datetime) -> str:
    """Render, send and mark one claimed email; the outcome's name."""
    if not email.address:
        return _cancel(email, now, "the recipient has no email address")
    if email.recipient_id is not None and not preference_enabled(
        user_id=email.recipient_id, kind=email.kind, channel=Channel.EMAIL
    ):
        return _cancel(email, now, "the recipient turned these emails off")
    try:
        outcome = get_renderer(email.renderer)(email, now=now)
    except Exception as error:  # a renderer's bug or unreadable data: retried, then failed
        logger.exception("rendering email %s failed", email.pk)
        return _attempt_failed(email, now, f"rendering failed: {error!r}")
    if isinstance(outcome, Cancel):
        return _cancel(email, now, outcome.reason)
    if isinstance(outcome, Reschedule):
        _back_to_pending(email, now, due_at=outcome.due_at)
        return "rescheduled"
    if not _row_locks():
        return _send_and_mark(email, outcome, now)
    with transaction.atomic():
        # Held until the mark commits; a run that locked it first has sent it.
        if not _still_sending(email):
            return "skipped"
        return _send_and_mark(email, outcome, now)


def _still_sending(email: OutgoingEmail) -> bool:
    sending = OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING)
    return sending.select_for_update().exists()


def _send_and_mark(email: OutgoingEmail, outcome: Letter, now: datetime) -> str:
    try:
        _message(email, outcome).send()
    except Exception as error:  # nothing was delivered (see the module's docstring)
        logger.warning("sending email %s failed: %r", email.pk, error)
        return _attempt_failed(email, now, repr(error))
    crash_point(EMAIL_SENT_BEFORE_MARK)
    with transaction.atomic():
        marked = OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
            status=Status.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            subject=outcome.subject[:255],
            last_error="",
        )
        if marked and outcome.on_sent is not None:
            outcome.on_sent()
    if not marked:
        logger.error("email %s went out after it was given up as interrupted", email.pk)
    return "sent"


def _message(email: OutgoingEmail, letter: Letter) -> EmailMultiAlternatives:
    """The email as sent: text, HTML as its alternative, and the headers mail systems read."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    headers = {
        # One per row, the same on every attempt: copies of one email merge.
        "Message-ID": f"<email.{email.pk}@{domain}>",
        # RFC 3834: sent by a program; out-of-office replies should not answer it.
        "Auto-Submitted": "auto-generated",
    }
    if email.recipient_id is not None:  # a plain address has nothing to unsubscribe from
        headers.update(unsubscribe_headers(user_id=email.recipient_id, kind=email.kind))
    message = EmailMultiAlternatives(
        subject=letter.subject,
        body=letter.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.address],
        headers=headers,
    )
    message.attach_alternative(letter.html, "text/html")
    return message


def _cancel(email: OutgoingEmail, now: datetime, reason: str) -> str:
    OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=Status.CANCELLED, cancelled_at=now, last_error=reason
    )
    return "cancelled"


def _attempt_failed(email: OutgoingEmail, now: datetime, error: str) -> str:
    attempts = email.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
            status=Status.FAILED, attempts=attempts, last_error=error
        )
        return "failed"
    wait = RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1]
    _back_to_pending(
        email, now, due_at=now + timedelta(seconds=wait), attempts=attempts, last_error=error
    )
    return "retried"


def _back_to_pending(email: OutgoingEmail, now: datetime, *, due_at: datetime, **changes) -> None:
    """Put a claimed email back to wait; within a batch that has a pending one, join it."""
    sending = OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING)
    try:
        with transaction.atomic():
            sending.update(status=Status.PENDING, due_at=due_at, claimed_at=None, **changes)
    except IntegrityError:  # a fact came in meanwhile and opened the batch's next email
        with transaction.atomic():
            pending = (
                OutgoingEmail.objects.select_for_update()
                .filter(batch=email.batch, status=Status.PENDING)
                .first()
            )
            if pending is not None:  # it carries this one's facts too, the older first
                facts = [*email.context.get("facts", []), *pending.context.get("facts", [])]
                if facts:
                    pending.context = {**pending.context, "facts": facts}
                pending.due_at = min(pending.due_at, due_at)
                pending.save(update_fields=["context", "due_at"])
            sending.update(
                status=Status.CANCELLED,
                cancelled_at=now,
                last_error="joined the pending email of its batch",
            )
