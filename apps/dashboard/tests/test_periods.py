from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.dashboard.periods import (
    CHART_RANGES,
    bucket_label,
    bucket_starts,
    today_window,
    week_window,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def test_today_is_the_server_s_local_day():
    # 23:30 UTC on the 24th is already the 25th in Berlin.
    start, end = today_window(datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    assert start == datetime(2026, 11, 25, tzinfo=BERLIN)
    assert end == datetime(2026, 11, 26, tzinfo=BERLIN)


def test_a_day_with_a_dst_change_is_23_hours_long():
    start, end = today_window(datetime(2026, 3, 29, 12, tzinfo=UTC))
    # Aware datetimes of one zone subtract as wall clocks do: compare the instants.
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600


@pytest.mark.parametrize(
    ("moment", "monday"),
    [
        (datetime(2026, 11, 22, 22, 59, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=BERLIN)),  # Sun
        (datetime(2026, 11, 22, 23, 0, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=BERLIN)),  # Mon
        (datetime(2026, 11, 25, 12, 0, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=BERLIN)),  # Wed
    ],
)
def test_a_week_starts_on_monday_at_local_midnight(moment, monday):
    start, end = week_window(moment)
    assert start == monday
    assert end == datetime(monday.year, monday.month, monday.day + 7, tzinfo=BERLIN)


def test_24h_has_24_hourly_buckets_the_last_holding_now():
    now = datetime(2026, 11, 25, 9, 41, tzinfo=UTC)
    starts = bucket_starts(CHART_RANGES["24h"], now)
    assert len(starts) == 25  # 24 buckets and the end of the last
    assert starts[-2] == datetime(2026, 11, 25, 9, tzinfo=UTC) <= now < starts[-1]
    assert starts[0] == datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert bucket_label(CHART_RANGES["24h"], starts[-2]) == "2026-11-25T10:00:00+01:00"


@pytest.mark.parametrize(("name", "days"), [("7d", 7), ("30d", 30)])
def test_day_ranges_have_one_bucket_per_local_date(name, days):
    now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # the 25th in Berlin
    starts = bucket_starts(CHART_RANGES[name], now)
    labels = [bucket_label(CHART_RANGES[name], start) for start in starts[:-1]]
    assert len(labels) == days
    assert labels[-1] == "2026-11-25"
    assert starts[-1] == datetime(2026, 11, 26, tzinfo=BERLIN)
