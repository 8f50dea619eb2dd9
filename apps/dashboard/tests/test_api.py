"""Every /api/dashboard/ endpoint: who may call it, what it answers, what it refuses."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.bookings import services
from apps.bookings.topics import DASHBOARD_TOPIC
from tidewire.streams import stream_offset
from tidewire.testing.clients import bearer_client

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/dashboard/summary/",
    "/api/dashboard/charts/",
    "/api/dashboard/activity/",
    "/api/dashboard/audit.csv",
    "/api/dashboard/activity.csv",
    "/api/dashboard/charts.csv",
]
STARTS_AT = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def as_admin(super_admin):
    return bearer_client(super_admin)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_without_a_login_every_endpoint_is_401(path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_business_owner_gets_403_from_every_endpoint(path, owner, salon):
    # A download's refusal is JSON even when the client asked for CSV only.
    accept = "text/csv" if path.endswith(".csv") else "application/json"
    response = bearer_client(owner).get(path, HTTP_ACCEPT=accept)
    assert response.status_code == 403
    assert response.json() == {"detail": "The dashboard is for super admins."}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_super_admin_may_read_every_endpoint(path, as_admin):
    assert as_admin.get(path).status_code == 200


def test_summary_counts_recent_businesses_and_the_stream_offset(as_admin, salon, book):
    book(STARTS_AT)
    with CaptureQueriesContext(connection) as queries:
        response = as_admin.get("/api/dashboard/summary/")
    body = response.json()
    assert body["counts"] == {
        "businesses": 1,
        "reservations_today": 0,
        "upcoming": 1,
        "cancelled_this_week": 0,
    }
    assert [b["name"] for b in body["recent_businesses"]] == ["Olivia's Salon"]
    assert body["recent_businesses"][0]["owner"] == "olivia"
    assert body["topic"] == DASHBOARD_TOPIC
    assert body["offset"] == stream_offset(topic=DASHBOARD_TOPIC) == 2
    assert response["Tidewire-Offset"] == "2"
    # The token's user and generation; then the offset, four counts, businesses with owners.
    assert len(queries) == 2 + 6


def test_summary_offset_is_read_before_the_data(as_admin, owner, monkeypatch):
    """A change committed between the offset and the counts is in both: replayed, not lost."""
    from apps.dashboard import selectors

    counts = selectors.dashboard_counts

    def change_then_count(**kwargs):
        services.business_create(name="Between", subdomain="between", owner=owner)
        return counts(**kwargs)

    monkeypatch.setattr(selectors, "dashboard_counts", change_then_count)
    body = as_admin.get("/api/dashboard/summary/").json()
    assert body["counts"]["businesses"] == 1
    assert body["offset"] == stream_offset(topic=DASHBOARD_TOPIC) - 1


def test_charts_default_to_24_hours(as_admin):
    body = as_admin.get("/api/dashboard/charts/").json()
    assert (body["range"], body["bucket"], len(body["labels"])) == ("24h", "hour", 24)
    assert body["reservations"] == body["businesses"] == [0] * 24


@pytest.mark.parametrize(("name", "buckets"), [("7d", 7), ("30d", 30)])
def test_charts_by_day(as_admin, name, buckets):
    body = as_admin.get(f"/api/dashboard/charts/?range={name}").json()
    assert (body["bucket"], len(body["labels"]), len(body["reservations"])) == (
        "day",
        buckets,
        buckets,
    )


@pytest.mark.parametrize("path", ["/api/dashboard/charts/", "/api/dashboard/charts.csv"])
@pytest.mark.parametrize("value", ["1y", "", "24H", "7d;drop"])
def test_an_unknown_range_is_400_naming_range(as_admin, path, value):
    response = as_admin.get(path, {"range": value})
    assert response.status_code == 400
    assert list(response.json()) == ["range"]


@pytest.mark.parametrize(
    "path", ["/api/dashboard/activity/", "/api/dashboard/audit.csv", "/api/dashboard/activity.csv"]
)
def test_an_unknown_type_is_400_naming_type(as_admin, path):
    response = as_admin.get(path, {"type": "user_update"})
    assert response.status_code == 400
    assert list(response.json()) == ["type"]


def test_activity_pages_the_audit_log_newest_first(as_admin, salon, book):
    reservations = [book(STARTS_AT, customer=f"Customer {n}") for n in range(3)]
    services.reservation_delete(reservation_id=reservations[0].pk)
    response = as_admin.get("/api/dashboard/activity/", {"page_size": 2})
    body = response.json()
    assert response["Tidewire-Offset"] == str(stream_offset(topic=DASHBOARD_TOPIC))
    assert [e["action"] for e in body["results"]] == ["reservation_deleted", "reservation_created"]
    deleted = body["results"][0]
    assert set(deleted) == {
        "id", "action", "message", "actor_name", "source", "object_type", "object_id",
        "business_id", "changed_fields", "before", "after", "created_at",
    }  # fmt: skip
    assert (deleted["object_type"], deleted["object_id"]) == ("reservation", reservations[0].pk)
    assert (deleted["source"], deleted["after"]) == ("shell", None)
    assert deleted["before"]["customer_name"] == "Customer 0"
    older = as_admin.get(body["next"]).json()
    assert [e["action"] for e in older["results"]] == ["reservation_created"] * 2
    last = as_admin.get(older["next"]).json()
    assert [e["action"] for e in last["results"]] == ["business_created"]
    assert last["next"] is None


def test_activity_filters_by_type(as_admin, salon, book):
    book(STARTS_AT)
    body = as_admin.get("/api/dashboard/activity/", {"type": "business_created"}).json()
    assert [e["message"] for e in body["results"]] == ["New business 'Olivia's Salon' created"]
