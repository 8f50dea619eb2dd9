from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.bookings import services
from apps.dashboard import selectors
from apps.dashboard.periods import CHART_RANGES

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# A Wednesday, 10:00 in Berlin: the week began on Monday the 23rd at 00:00 Berlin time.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def berlin_time(settings, frozen):
    """The server in Berlin; fixtures' rows made long before NOW (outside every range)."""
    settings.TIME_ZONE = "Europe/Berlin"
    frozen(datetime(2026, 1, 1, tzinfo=UTC))


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


def cancel_at(frozen, reservation, moment):
    frozen(moment)
    services.reservation_update(reservation_id=reservation.pk, changes={"status": "cancelled"})


def test_today_and_upcoming_at_the_day_s_edges(frozen, book):
    frozen(NOW)
    book(at(25, 0))  # today's first instant: today, already past
    book(at(24, 23, 59))  # yesterday
    book(at(25, 23, 59))  # today's last minute: today and upcoming
    book(at(26, 0))  # tomorrow's first instant: upcoming only
    book(NOW)  # now: today and upcoming (at or after now)
    book(at(25, 15), status="cancelled")  # a cancelled one counts nowhere...
    counts = selectors.dashboard_counts(now=NOW)
    assert counts["reservations_today"] == 3
    assert counts["upcoming"] == 3
    assert counts["businesses"] == 1


def test_cancelled_this_week_counts_from_monday_midnight_and_only_still_cancelled(frozen, book):
    before_monday = book(at(30, 12))
    at_monday = book(at(30, 13))
    reinstated = book(at(30, 14))
    cancel_at(frozen, before_monday, at(22, 23, 59))  # Sunday, last week
    cancel_at(frozen, at_monday, at(23, 0))  # Monday 00:00, this week
    cancel_at(frozen, reinstated, at(24, 9))
    services.reservation_update(reservation_id=reinstated.pk, changes={"status": "confirmed"})
    frozen(NOW)
    assert selectors.dashboard_counts(now=NOW)["cancelled_this_week"] == 1
    # Next Monday 00:00 starts a new week.
    assert selectors.dashboard_counts(now=at(30, 0))["cancelled_this_week"] == 0


def test_counts_read_each_number_with_one_query():
    with CaptureQueriesContext(connection) as queries:
        selectors.dashboard_counts(now=NOW)
    assert len(queries) == 4


def test_recent_businesses_are_the_10_newest_with_their_owner(frozen, owner):
    clock = frozen(NOW)
    for n in range(12):
        services.business_create(name=f"Salon {n}", subdomain=f"salon-{n}", owner=owner)
        clock.advance(60)
    recent = selectors.recent_businesses()
    assert [b["name"] for b in recent] == [f"Salon {n}" for n in range(11, 1, -1)]
    assert recent[0] == {
        "id": recent[0]["id"],
        "name": "Salon 11",
        "subdomain": "salon-11",
        "owner": "olivia",
        "created_at": "2026-11-25T09:11:00Z",
    }


def test_24h_series_has_every_hour_with_zeros_and_counts_by_creation(frozen, book, salon):
    frozen(NOW - timedelta(hours=30))  # before the range
    book(NOW)
    frozen(at(24, 11, 0))  # the range's first hour
    book(NOW)
    book(NOW)
    frozen(at(25, 9, 59))
    book(NOW)
    frozen(NOW)
    services.business_create(name="New", subdomain="new", owner=salon.owner)
    series = selectors.chart_series(chart_range=CHART_RANGES["24h"], now=NOW)
    assert series["bucket"] == "hour"
    assert series["time_zone"] == "Europe/Berlin"
    assert len(series["labels"]) == len(series["reservations"]) == 24
    assert series["labels"][0] == "2026-11-24T11:00:00+01:00"
    assert series["labels"][-1] == "2026-11-25T10:00:00+01:00"
    assert series["reservations"] == [2] + [0] * 21 + [1, 0]
    assert series["businesses"] == [0] * 23 + [1]  # the salon was made before the range


def test_day_series_buckets_by_the_local_date(frozen, book):
    frozen(datetime(2026, 11, 24, 23, 30, tzinfo=UTC))  # the 25th in Berlin
    book(NOW)
    frozen(datetime(2026, 11, 19, 12, 0, tzinfo=UTC))  # seven days back: the first bucket
    book(NOW)
    week = selectors.chart_series(chart_range=CHART_RANGES["7d"], now=NOW)
    assert week["labels"] == [f"2026-11-{day}" for day in range(19, 26)]
    assert week["reservations"] == [1, 0, 0, 0, 0, 0, 1]
    month = selectors.chart_series(chart_range=CHART_RANGES["30d"], now=NOW)
    assert len(month["labels"]) == 30 and month["labels"][0] == "2026-10-27"
    assert sum(month["reservations"]) == 2 and month["reservations"][-1] == 1


def test_empty_series_are_all_zeros():
    series = selectors.chart_series(chart_range=CHART_RANGES["30d"], now=NOW)
    assert series["reservations"] == series["businesses"] == [0] * 30


def test_activity_is_the_audit_log_newest_first_filtered_by_type(super_admin, book, salon):
    reservation = book(NOW)
    services.reservation_update(reservation_id=reservation.pk, changes={"status": "confirmed"})
    everything = selectors.activity_entries(user=super_admin)
    assert [e.action for e in everything] == [
        "reservation_updated",
        "reservation_created",
        "business_created",
    ]
    updated = selectors.activity_entries(user=super_admin, event_type="reservation_updated")
    entry = selectors.activity_snapshot(updated.get())
    assert entry["changed_fields"] == ["status"]
    assert (entry["before"]["status"], entry["after"]["status"]) == ("pending", "confirmed")
    assert entry["message"].startswith("Reservation at 'Olivia's Salon' confirmed")


def test_a_business_board_shows_upcoming_first_then_the_latest_past(frozen, book, owner):
    frozen(NOW)
    past_old, past_new = book(at(20, 9)), book(at(24, 9))
    later, soon = book(at(28, 9)), book(at(26, 9))
    shown = selectors.reservations_upcoming_first(user=owner, business_id=soon.business_id)
    assert shown == [soon, later, past_new, past_old]
    capped = selectors.reservations_upcoming_first(
        user=owner, business_id=soon.business_id, limit=3
    )
    assert capped == [soon, later, past_new]


def test_a_board_never_holds_another_owner_s_reservations(book, owner, other_salon):
    book(NOW, business=other_salon, customer="Someone else")
    assert selectors.reservations_upcoming_first(user=owner, business_id=other_salon.pk) == []
    assert selectors.businesses_for_board(user=owner) == list(owner.businesses.all())
