"""Reads behind the dashboard: counts, the newest businesses, chart series, the activity log.

The dashboard is for super admins; its API checks that before calling these.
Counts and series are over every business (the caller sees all of them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.bookings.events import (
    BUSINESS_CREATED,
    BUSINESS_DELETED,
    BUSINESS_UPDATED,
    RESERVATION_CREATED,
    RESERVATION_DELETED,
    RESERVATION_UPDATED,
)
from apps.bookings.models import Business, Reservation
from apps.bookings.selectors import (
    audit_entries_visible_to,
    businesses_visible_to,
    reservations_visible_to,
)
from tidewire.events import iso_timestamp

from .periods import (
    ChartRange,
    bucket_label,
    bucket_starts,
    server_time_zone,
    today_window,
    week_window,
)

RECENT_BUSINESSES = 10
# The event types the activity feed shows and filters by: those of bookings.dashboard.
FEED_TYPES = tuple(
    event.name
    for event in (
        BUSINESS_CREATED,
        BUSINESS_UPDATED,
        BUSINESS_DELETED,
        RESERVATION_CREATED,
        RESERVATION_UPDATED,
        RESERVATION_DELETED,
    )
)


def _booked() -> QuerySet[Reservation]:
    """Reservations that still hold their slot: not cancelled."""
    return Reservation.objects.exclude(status=Reservation.Status.CANCELLED).order_by()


def dashboard_counts(*, now: datetime | None = None) -> dict[str, int]:
    """The four numbers at the top of the dashboard, at `now`:

    - `businesses`: every business;
    - `reservations_today`: reservations starting today (server time zone), not cancelled;
    - `upcoming`: reservations starting at or after now, not cancelled;
    - `cancelled_this_week`: reservations cancelled (`cancelled_at`) since Monday 00:00
      of this week (server time zone) that are still cancelled.

    Separate counts rather than one conditional aggregate: each is a range on an
    index (starts_at, or the partial index on cancelled reservations), where one
    aggregate would read every reservation.
    """
    now = now or timezone.now()
    day_start, day_end = today_window(now)
    week_start, week_end = week_window(now)
    return {
        "businesses": Business.objects.count(),
        "reservations_today": _booked()
        .filter(starts_at__gte=day_start, starts_at__lt=day_end)
        .count(),
        "upcoming": _booked().filter(starts_at__gte=now).count(),
        "cancelled_this_week": Reservation.objects.filter(
            status=Reservation.Status.CANCELLED,
            cancelled_at__gte=week_start,
            cancelled_at__lt=week_end,
        )
        .order_by()
        .count(),
    }


def recent_businesses(*, limit: int = RECENT_BUSINESSES) -> list[dict[str, Any]]:
    """The newest businesses: id, name, subdomain, owner (username), created_at."""
    businesses = Business.objects.select_related("owner").order_by("-created_at", "-id")[:limit]
    return [
        {
            "id": business.pk,
            "name": business.name,
            "subdomain": business.subdomain,
            "owner": business.owner.get_username(),
            "created_at": iso_timestamp(business.created_at),
        }
        for business in businesses
    ]


def _per_bucket(rows: QuerySet, chart_range: ChartRange, starts: list[datetime]) -> list[int]:
    """How many of `rows` were created in each bucket (zeros included), oldest first."""
    tz = server_time_zone()
    rows = rows.filter(created_at__gte=starts[0], created_at__lt=starts[-1]).order_by()
    if chart_range.unit == "hour":
        rows = rows.annotate(bucket=TruncHour("created_at", tzinfo=tz))
        keys = starts[:-1]  # UTC instants

        def key(bucket: datetime) -> Any:
            return bucket.astimezone(UTC)

    else:
        rows = rows.annotate(bucket=TruncDate("created_at", tzinfo=tz))
        keys = [timezone.localtime(start, tz).date() for start in starts[:-1]]

        def key(bucket: Any) -> Any:
            return bucket

    counted: dict[Any, int] = {}
    for bucket, number in rows.values("bucket").annotate(n=Count("id")).values_list("bucket", "n"):
        counted[key(bucket)] = counted.get(key(bucket), 0) + number
    return [counted.get(k, 0) for k in keys]


def chart_series(*, chart_range: ChartRange, now: datetime | None = None) -> dict[str, Any]:
    """Reservations made (by `created_at`, cancelled ones included) and businesses created,
    per hour (24h) or per day (7d, 30d), every bucket present, the last one holding `now`.

    Labels are ISO 8601 in the server's time zone: the bucket's local hour or date.
    Deleted reservations and businesses are not counted: they are gone.
    """
    now = now or timezone.now()
    starts = bucket_starts(chart_range, now)
    return {
        "range": chart_range.name,
        "bucket": chart_range.unit,
        "time_zone": str(server_time_zone()),
        "labels": [bucket_label(chart_range, start) for start in starts[:-1]],
        "reservations": _per_bucket(Reservation.objects.all(), chart_range, starts),
        "businesses": _per_bucket(Business.objects.all(), chart_range, starts),
    }


def activity_entries(*, user: Any, event_type: str | None = None) -> QuerySet[AuditEntry]:
    """The audit log as `user` may see it (super admins: all), newest first, of one type or all."""
    entries = audit_entries_visible_to(user).order_by("-id")
    if event_type is not None:
        entries = entries.filter(action=event_type)
    return entries


def activity_snapshot(entry: AuditEntry) -> dict[str, Any]:
    """An audit entry as the activity API, the feed and the exports show it."""
    return {
        "id": entry.pk,
        "action": entry.action,
        "message": entry.message,
        "actor_name": entry.actor_name,
        "source": entry.source,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "business_id": entry.business_id,
        "changed_fields": entry.changed_fields,
        "before": entry.before,
        "after": entry.after,
        "created_at": iso_timestamp(entry.created_at),
    }


# -- the /business/ page ------------------------------------------------------------

BUSINESSES_SHOWN = 20  # cards on one /business/ page, each following its own topic
RESERVATIONS_SHOWN = 50  # per business: the next ones, then the latest past ones


def businesses_for_board(*, user: Any) -> list[Business]:
    """The businesses `user` may follow (an owner's own; all for super admins), newest first."""
    return list(businesses_visible_to(user).order_by("-created_at", "-id")[:BUSINESSES_SHOWN])


def reservations_upcoming_first(
    *, user: Any, business_id: int, now: datetime | None = None, limit: int = RESERVATIONS_SHOWN
) -> list[Reservation]:
    """A business's reservations as `user` may see them: upcoming ones soonest first, then
    past ones latest first; at most `limit`. Cancelled ones are included (with their status).
    """
    now = now or timezone.now()
    mine = reservations_visible_to(user).filter(business_id=business_id).order_by()
    upcoming = list(mine.filter(starts_at__gte=now).order_by("starts_at", "id")[:limit])
    if len(upcoming) == limit:
        return upcoming
    past = mine.filter(starts_at__lt=now).order_by("-starts_at", "-id")[: limit - len(upcoming)]
    return upcoming + list(past)
