"""Days, weeks and chart buckets, in the server's time zone (settings.TIME_ZONE).

"Today" and "this week" are the server's, not the viewer's: every super admin
sees the same counts, and the CSV exports match the page. A week starts on
Monday (ISO 8601). Boundaries are computed on local dates and made aware, so a
day is 23 or 25 hours long across a DST change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone


def server_time_zone() -> tzinfo:
    return timezone.get_default_timezone()


def local_midnight(day: date) -> datetime:
    """The first instant of `day` in the server's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), server_time_zone())


def today_window(now: datetime) -> tuple[datetime, datetime]:
    """[start of today, start of tomorrow) in the server's time zone."""
    today = timezone.localtime(now, server_time_zone()).date()
    return local_midnight(today), local_midnight(today + timedelta(days=1))


def week_window(now: datetime) -> tuple[datetime, datetime]:
    """[Monday 00:00 of this week, next Monday 00:00) in the server's time zone."""
    today = timezone.localtime(now, server_time_zone()).date()
    monday = today - timedelta(days=today.weekday())
    return local_midnight(monday), local_midnight(monday + timedelta(days=7))


@dataclass(frozen=True)
class ChartRange:
    """A chart's span: `count` buckets of an hour or a day, the last one holding now."""

    name: str
    unit: str  # "hour" or "day"
    count: int


CHART_RANGES = {
    "24h": ChartRange("24h", "hour", 24),
    "7d": ChartRange("7d", "day", 7),
    "30d": ChartRange("30d", "day", 30),
}


def bucket_starts(chart_range: ChartRange, now: datetime) -> list[datetime]:
    """The first instant of every bucket, oldest first, plus the end of the last one.

    Hours step in UTC from the current local hour (a DST change repeats or skips
    a local hour, as the clock on the wall does); days step over local dates.
    """
    local = timezone.localtime(now, server_time_zone())
    if chart_range.unit == "hour":
        current = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        return [current - timedelta(hours=back) for back in range(chart_range.count - 1, -2, -1)]
    today = local.date()
    return [
        local_midnight(today - timedelta(days=back))
        for back in range(chart_range.count - 1, -2, -1)
    ]


def bucket_label(chart_range: ChartRange, start: datetime) -> str:
    """ISO 8601: the local hour (`2026-11-23T14:00:00+01:00`) or the local date (`2026-11-23`)."""
    local = timezone.localtime(start, server_time_zone())
    return local.isoformat() if chart_range.unit == "hour" else local.date().isoformat()
