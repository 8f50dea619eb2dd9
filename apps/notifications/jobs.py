"""The notification center's periodic jobs (tidewire/jobs.py runs them)."""

from __future__ import annotations

from tidewire.conf import tidewire_setting
from tidewire.jobs import periodic_job

from .services import notifications_purge

DAY = 24 * 3600


@periodic_job("purge_read_notifications", every=DAY)
def purge_read_notifications() -> dict[str, int]:
    """Delete read notifications older than TIDEWIRE_NOTIFICATION_RETENTION_DAYS (90)."""
    days = tidewire_setting("NOTIFICATION_RETENTION_DAYS")
    return {"deleted": notifications_purge(older_than_days=days)}
