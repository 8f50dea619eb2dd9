"""The mailing's periodic jobs (tidewire/jobs.py runs them)."""

from __future__ import annotations

from tidewire.conf import tidewire_setting
from tidewire.jobs import periodic_job

from . import services

# Seconds between runs of the send job: an email is out at most this long after
# it fell due (plus the send itself), well inside the minute the chat promises
# after MISSED_MESSAGE_DELAY; a run that finds nothing due costs one indexed query.
SEND_INTERVAL = 15
DAY = 24 * 3600


@periodic_job("send_due_emails", every=SEND_INTERVAL)
def send_due_emails() -> dict[str, int]:
    """Send the emails that fell due; counts by outcome (sent, cancelled, rescheduled, …)."""
    return services.emails_send_due()


@periodic_job("purge_old_emails", every=DAY)
def purge_old_emails() -> dict[str, int]:
    """Forget emails done with, as long after as read notifications are kept."""
    days = tidewire_setting("NOTIFICATION_RETENTION_DAYS")
    return {"deleted": services.emails_purge(older_than_days=days)}
