"""/api/reservations/ and the import: who sees what, every refusal, and the events behind writes."""

from datetime import timedelta

import pytest

from apps.audit.models import AuditEntry
from apps.bookings import services
from apps.bookings.models import Reservation
from apps.bookings.topics import DASHBOARD_TOPIC, business_topic
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

from .conftest import STARTS_AT

pytestmark = pytest.mark.django_db

FIELDS = {"id", "business", "customer_name", "customer_email", "service", "starts_at", "status"}


def url(reservation_id=None):
    return (
        "/api/reservations/" if reservation_id is None else f"/api/reservations/{reservation_id}/"
    )


def import_url(business_id):
    return f"/api/businesses/{business_id}/reservations/import/"


def booking(salon, **changes):
    return {
        "business": salon.pk,
        "customer_name": "Dana",
        "customer_email": "dana@example.com",
        "service": "Colour",
        "starts_at": "2026-11-24T09:30:00+01:00",
        **changes,
    }


def row(n, **changes):
    return {
        "customer_name": f"Customer {n}",
        "customer_email": f"c{n}@example.com",
        "service": "Cut",
        "starts_at": (STARTS_AT + timedelta(minutes=30 * n)).isoformat(),
        **changes,
    }


@pytest.fixture
def foreign(other_salon):
    return services.reservation_create(
        business_id=other_salon.pk,
        customer_name="Eve",
        customer_email="eve@example.com",
        service="Shave",
        starts_at=STARTS_AT,
    )


def test_an_owner_lists_the_reservations_of_their_businesses_only(as_owner, reservation, foreign):
    body = as_owner.get(url()).json()
    assert [r["id"] for r in body["results"]] == [reservation.pk]
    assert body["results"][0] == {
        "id": reservation.pk,
        "business": reservation.business_id,
        "customer_name": "Carla",
        "customer_email": "carla@example.com",
        "service": "Haircut",
        "starts_at": "2026-11-23T14:00:00Z",
        "status": "pending",
    }


def test_a_super_admin_lists_all_newest_first_and_filters(as_admin, salon, reservation, foreign):
    services.reservation_update(reservation_id=reservation.pk, changes={"status": "confirmed"})
    response = as_admin.get(url())
    assert [r["id"] for r in response.json()["results"]] == [foreign.pk, reservation.pk]
    assert response["Tidewire-Topic"] == DASHBOARD_TOPIC
    by_business = as_admin.get(url(), {"business": salon.pk})
    assert [r["id"] for r in by_business.json()["results"]] == [reservation.pk]
    assert by_business["Tidewire-Topic"] == business_topic(salon.pk)
    confirmed = as_admin.get(url(), {"status": "confirmed"}).json()["results"]
    assert [r["id"] for r in confirmed] == [reservation.pk]


def test_filtering_on_another_owners_business_shows_nothing_and_no_offset(
    as_owner, other_salon, foreign
):
    response = as_owner.get(url(), {"business": other_salon.pk})
    assert response.json()["results"] == []
    assert "Tidewire-Offset" not in response


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "gone"}, "status"),
    ({"business": "x"}, "business"),
    ({"business": 2**63}, "business"),
])  # fmt: skip
def test_a_bad_filter_is_400_naming_it(as_admin, query, field):
    response = as_admin.get(url(), query)
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_owners_reservation_is_404(as_owner, foreign, method):
    response = getattr(as_owner, method)(url(foreign.pk), {"status": "cancelled"}, format="json")
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "pending"
    assert Reservation.objects.filter(pk=foreign.pk).exists()


def test_an_owner_books_at_their_business_and_the_event_matches_the_answer(as_owner, owner, salon):
    offset = stream_offset(topic=business_topic(salon.pk))
    response = as_owner.post(url(), booking(salon), format="json")
    assert response.status_code == 201
    created = response.json()
    assert set(created) == FIELDS
    assert created["starts_at"] == "2026-11-24T08:30:00Z"  # +01:00, stored in UTC
    [event] = events_after(business_topic(salon.pk), offset)
    assert event["type"] == "reservation_created"
    assert event["payload"]["reservation"] == created
    entry = AuditEntry.objects.get(action="reservation_created")
    assert (entry.source, entry.actor_id) == ("api", owner.pk)


def test_booking_at_another_owners_business_is_400_naming_business_as_if_it_did_not_exist(
    as_owner, other_salon
):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    foreign = as_owner.post(url(), booking(other_salon), format="json")
    missing = as_owner.post(url(), {**booking(other_salon), "business": 10**12}, format="json")
    assert (foreign.status_code, missing.status_code) == (400, 400)
    assert foreign.json()["business"] == [f"No business with id {other_salon.pk}."]
    assert missing.json()["business"] == [f"No business with id {10**12}."]
    assert not Reservation.objects.exists()
    assert events_after(DASHBOARD_TOPIC, offset) == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"starts_at": "2026-11-24T09:30:00"}, "starts_at"),  # naive: which zone?
    ({"starts_at": "next tuesday"}, "starts_at"),
    ({"starts_at": "2026-13-01T09:30:00Z"}, "starts_at"),
    ({"starts_at": 1700000000}, "starts_at"),
    ({"starts_at": "9999-12-31T23:59:59-05:00"}, "starts_at"),  # past year 9999 in UTC
    ({"starts_at": "0001-01-01T00:00:00+01:00"}, "starts_at"),
    ({"customer_email": "nope"}, "customer_email"),
    ({"customer_name": "  "}, "customer_name"),
    ({"customer_name": "Eve\u202e"}, "customer_name"),
    ({"service": "x" * 121}, "service"),
    ({"status": "maybe"}, "status"),
    ({"business": "one"}, "business"),
    ({"tip": 5}, "tip"),
])  # fmt: skip
def test_bad_input_is_400_naming_the_field_and_stores_nothing(as_owner, salon, changes, field):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = as_owner.post(url(), booking(salon, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Reservation.objects.exists()
    assert events_after(DASHBOARD_TOPIC, offset) == []


def test_a_naive_time_says_it_needs_a_time_zone(as_owner, salon):
    response = as_owner.post(url(), booking(salon, starts_at="2026-11-24T09:30:00"), format="json")
    assert "time zone" in response.json()["starts_at"][0]


def test_an_owner_cancels_a_reservation_and_both_topics_hear_it(as_owner, salon, reservation):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = as_owner.patch(url(reservation.pk), {"status": "cancelled"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    [event] = events_after(DASHBOARD_TOPIC, offset)
    assert event["type"] == "reservation_updated"
    assert event["payload"]["reservation"] == response.json()
    assert events_after(business_topic(salon.pk))[-1] == event


def test_a_reservation_cannot_move_to_another_business(as_admin, reservation, other_salon):
    response = as_admin.patch(url(reservation.pk), {"business": other_salon.pk}, format="json")
    assert response.status_code == 400 and "business" in response.json()
    reservation.refresh_from_db()
    assert reservation.business_id != other_salon.pk


@pytest.mark.parametrize(("changes", "field"), [
    ({"starts_at": "2026-11-24T09:30:00"}, "starts_at"), ({"status": "gone"}, "status"),
    ({"customer_email": ""}, "customer_email"), ({"notes": "x"}, "notes"),
])  # fmt: skip
def test_a_bad_patch_is_400_naming_the_field_and_changes_nothing(
    as_owner, reservation, changes, field
):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = as_owner.patch(url(reservation.pk), changes, format="json")
    assert response.status_code == 400 and field in response.json()
    assert events_after(DASHBOARD_TOPIC, offset) == []


def test_an_owner_deletes_a_reservation(as_owner, reservation):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    assert as_owner.delete(url(reservation.pk)).status_code == 204
    assert not Reservation.objects.exists()
    [event] = events_after(DASHBOARD_TOPIC, offset)
    assert event["type"] == "reservation_deleted"
    assert AuditEntry.objects.filter(action="reservation_deleted").get().source == "api"


# Import


def test_an_import_books_every_row_and_announces_each(as_owner, salon):
    offset = stream_offset(topic=business_topic(salon.pk))
    response = as_owner.post(
        import_url(salon.pk), {"rows": [row(n) for n in range(30)]}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["imported"] == 30
    assert sorted(body["ids"]) == sorted(Reservation.objects.values_list("pk", flat=True))
    events = events_after(business_topic(salon.pk), offset)
    assert [e["type"] for e in events] == ["reservation_created"] * 30
    assert AuditEntry.objects.filter(action="reservation_created", source="api").count() == 30


@pytest.mark.parametrize(("rows", "field"), [
    ([row(0), row(1, customer_email="nope")], "rows[1].customer_email"),
    ([row(0), row(1, starts_at="2026-11-24T09:30:00")], "rows[1].starts_at"),
    ([row(0), {**row(1), "extra": 1}], "rows[1].extra"),
    ([row(0), "not a row"], "rows[1]"),
    ([row(0), {k: v for k, v in row(1).items() if k != "service"}], "rows[1].service"),
    ([], "rows"),
    ("rows", "rows"),
])  # fmt: skip
def test_a_bad_import_is_400_naming_the_row_and_field_and_stores_nothing(
    as_owner, salon, rows, field
):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = as_owner.post(import_url(salon.pk), {"rows": rows}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Reservation.objects.exists()
    assert events_after(DASHBOARD_TOPIC, offset) == []


def test_an_import_holds_at_most_5000_rows(as_owner, salon):
    rows = [row(0)] * 5001
    response = as_owner.post(import_url(salon.pk), {"rows": rows}, format="json")
    assert response.status_code == 400 and "rows" in response.json()
    assert not Reservation.objects.exists()


def test_a_refused_import_lists_the_first_fifty_errors(as_owner, salon):
    rows = [row(n, customer_email="nope") for n in range(80)]
    errors = as_owner.post(import_url(salon.pk), {"rows": rows}, format="json").json()
    assert len(errors) == 50 and "rows[49].customer_email" in errors


def test_an_import_into_another_owners_business_is_404(as_owner, other_salon):
    response = as_owner.post(import_url(other_salon.pk), {"rows": [row(0)]}, format="json")
    assert response.status_code == 404
    assert not Reservation.objects.exists()


# Email settings


def test_an_owner_chooses_a_daily_digest_and_reads_it_back(as_owner):
    assert as_owner.get("/api/bookings/email-settings/").json() == {"delivery": "each"}
    response = as_owner.put(
        "/api/bookings/email-settings/", {"delivery": "daily_digest"}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"delivery": "daily_digest"}
    assert as_owner.get("/api/bookings/email-settings/").json() == {"delivery": "daily_digest"}


@pytest.mark.parametrize("body", [{"delivery": "weekly"}, {}, {"delivery": 1}])
def test_a_bad_delivery_is_400_naming_it(as_owner, body):
    response = as_owner.put("/api/bookings/email-settings/", body, format="json")
    assert response.status_code == 400 and "delivery" in response.json()
    assert as_owner.get("/api/bookings/email-settings/").json() == {"delivery": "each"}
