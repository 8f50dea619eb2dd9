"""The dashboard and an owner's /business/ page in real Chromium, while others change things.

Changes are made in the server's database by `manage.py shell` calling
apps.bookings.services, as the REST API and the admin do (whoever changes
something, the services audit and announce it). Each test makes its own people
and businesses; counts are compared with the server's own at the end.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tidewire.testing.servers import ServerProcess

pytestmark = pytest.mark.e2e

PASSWORD = "dashboard-e2e-pass-1"
RECONNECT_TIMEOUT_MS = 20_000
NOT_CONNECTED = re.compile(r"^(reconnecting|offline)$")
# A business name that is markup and a spreadsheet formula at once: shown as text, exported escaped.
EVIL_NAME = '=HYPERLINK("https://evil.example","<img src=x onerror=window.__xss=1>Win")'
COUNTS = ("businesses", "reservations_today", "upcoming", "cancelled_this_week")

_PREAMBLE = """
import json
from datetime import timedelta
from django.contrib.auth.models import User
from django.utils import timezone
from apps.bookings import services
def later(days=2):
    return timezone.now() + timedelta(days=days)
def book(business_id, customer, **fields):
    return services.reservation_create(business_id=business_id, customer_name=customer,
        customer_email="guest@example.com", service="Haircut", starts_at=later(), **fields)
"""

_CAST = """
names = {names!r}
admin = User.objects.create_superuser(username=names["admin"], password={password!r})
owner = User.objects.create_user(username=names["owner"], password={password!r})
rival = User.objects.create_user(username=names["rival"], password={password!r})
User.objects.create_user(username=names["nobody"], password={password!r})
mine = services.business_create(
    name="Salon " + names["owner"], subdomain=names["owner"], owner=owner)
theirs = services.business_create(
    name="Cuts " + names["rival"], subdomain=names["rival"], owner=rival)
print(json.dumps({{"admin_id": admin.pk, "mine": mine.pk, "theirs": theirs.pk}}))
"""

_STATE = """
from apps.dashboard import selectors
from apps.dashboard.periods import CHART_RANGES
admin = User.objects.get(username={admin!r})
feed = selectors.activity_entries(user=admin)[:50]
print(json.dumps({{
    "counts": selectors.dashboard_counts(),
    "charts": selectors.chart_series(chart_range=CHART_RANGES["24h"]),
    "feed": [entry.message for entry in feed],
}}))
"""


def run(server: ServerProcess, script: str) -> dict | None:
    """Run `script` in the server's database (after the preamble); its last line, as JSON."""
    lines = server.manage("shell", "-c", _PREAMBLE + script).strip().splitlines()
    return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None


@pytest.fixture
def cast(e2e_server: ServerProcess) -> dict:
    """A super admin, two owners with a salon each, and someone who owns nothing."""
    tag = uuid.uuid4().hex[:6]
    names = {role: f"{role}-{tag}" for role in ("admin", "owner", "rival", "nobody")}
    return {**names, **run(e2e_server, _CAST.format(names=names, password=PASSWORD))}


def open_dashboard(person, cast: dict) -> Page:
    _, page = person(PASSWORD, cast["admin"], "/dashboard/")
    expect(page.locator("#status")).to_have_text("Live")
    page.evaluate("window.__e2eNoReload = true")  # a reload would wipe it
    return page


def counts_on(page: Page) -> dict[str, int]:
    return {key: int(page.locator(f"#count-{key}").get_attribute("data-count")) for key in COUNTS}


def expect_counts(page: Page, counts: dict[str, int]) -> None:
    for key, value in counts.items():
        expect(page.locator(f"#count-{key}")).to_have_attribute("data-count", str(value))


def chart_data(page: Page, name: str) -> list[int]:
    return page.evaluate(
        "name => Chart.getChart(document.getElementById(`chart-${name}`)).data.datasets[0].data",
        name,
    )


def expect_chart(page: Page, name: str, values: list[int]) -> None:
    try:
        page.wait_for_function(
            "([name, values]) => JSON.stringify(Chart.getChart("
            "document.getElementById(`chart-${name}`)).data.datasets[0].data) === values",
            arg=[name, json.dumps(values, separators=(",", ":"))],
        )
    except Exception as error:
        raise AssertionError(f"{name}: page {chart_data(page, name)} != server {values}") from error


def expect_reservations_made(page: Page, total: int) -> None:
    """The reservations chart adds up to `total` (all within its 24 hours)."""
    page.wait_for_function(
        "total => Chart.getChart(document.getElementById('chart-reservations'))"
        ".data.datasets[0].data.reduce((a, b) => a + b, 0) === total",
        arg=total,
    )


def import_reservations(server: ServerProcess, business_id: int, count: int, name: str) -> None:
    """One import of `count` reservations (`<name> 0` ...), three days ahead."""
    run(
        server,
        f"""
rows = [dict(customer_name=f"{name} {{n}}", customer_email="guest@example.com",
             service="Colour", starts_at=later(3)) for n in range({count})]
services.reservations_import(business_id={business_id}, rows=rows)
""",
    )


def feed_messages(page: Page) -> list[str]:
    return page.locator("#feed [data-field=message]").all_text_contents()


def renders(page: Page) -> int:
    return int(page.locator("#charts").get_attribute("data-renders"))


def expect_what_a_reload_shows(page: Page, server: ServerProcess, cast: dict) -> None:
    """Counts, feed and charts equal the server's (what a reload would read)."""
    state = run(server, _STATE.format(admin=cast["admin"]))
    expect_counts(page, state["counts"])
    expect_chart(page, "reservations", state["charts"]["reservations"])
    expect_chart(page, "businesses", state["charts"]["businesses"])
    expect(page.locator("#feed [data-field=message]")).to_have_text(state["feed"])


def test_a_super_admin_sees_changes_live_escaped_and_exports_them(cast, person, e2e_server):
    page = open_dashboard(person, cast)
    before = counts_on(page)
    made_before = sum(chart_data(page, "reservations"))
    unread = f"""
from apps.notifications.selectors import unread_count
print(json.dumps({{"unread": unread_count(recipient_id={cast["admin_id"]})}}))
"""
    unread_before = run(e2e_server, unread)["unread"]
    run(
        e2e_server,
        f"""
owner = User.objects.get(username={cast["owner"]!r})
evil = services.business_create(name={EVIL_NAME!r}, subdomain="evil-" + owner.username, owner=owner)
book(evil.pk, "Grace")
""",
    )
    expect_counts(
        page, {**before, "businesses": before["businesses"] + 1, "upcoming": before["upcoming"] + 1}
    )
    expect(page.locator("#recent-businesses tr").first.locator(".recent-name")).to_have_text(
        EVIL_NAME
    )
    expect(page.locator("#feed [data-field=message]").first).to_have_text(
        re.compile(r"^New reservation at '=HYPERLINK.*': Grace, Haircut on ")
    )
    expect(page.locator("#feed [data-field=message]").nth(1)).to_have_text(
        f"New business '{EVIL_NAME}' created"
    )
    expect_reservations_made(page, made_before + 1)
    # The bell: super admins are told of the new business and of its reservation.
    unread_after = run(e2e_server, unread)["unread"]
    assert unread_after == unread_before + 2
    expect(page.locator("#bell-count")).to_have_text(
        "99+" if unread_after > 99 else str(unread_after)
    )
    # Text, never markup: no image was made from the name, no handler ran.
    assert page.locator("#feed img, #recent-businesses img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__e2eNoReload === true"), "the page was reloaded"
    # The audit log export: streamed by the server, the name escaped for spreadsheets.
    with page.expect_download() as download:
        page.locator("#export-audit").click()
    rows = Path(download.value.path()).read_text().splitlines()
    assert rows[0].startswith("id,created_at,action,object_type,object_id,object_name,")
    created = next(row for row in rows if ",business_created,business," in row and "evil" in row)
    assert ",\"'=HYPERLINK(" in created


def test_changes_made_while_offline_all_show_when_the_connection_returns(cast, person, e2e_server):
    page = open_dashboard(person, cast)
    page.context.set_offline(True)
    expect(page.locator("#status")).to_have_attribute("data-status", NOT_CONNECTED)
    expect(page.locator("#status")).to_have_text(re.compile(r"^(Reconnecting…|Offline)$"))
    run(
        e2e_server,
        f"""
owner = User.objects.get(username={cast["owner"]!r})
services.business_create(name="Away Salon", subdomain="away-" + owner.username, owner=owner)
kept = book({cast["mine"]}, "Kept")
cancelled = book({cast["mine"]}, "Cancelled")
gone = book({cast["theirs"]}, "Gone")
services.reservation_update(reservation_id=cancelled.pk, changes={{"status": "cancelled"}})
services.reservation_update(reservation_id=kept.pk, changes={{"status": "confirmed"}})
services.reservation_delete(reservation_id=gone.pk)
""",
    )
    page.context.set_offline(False)
    expect(page.locator("#status")).to_have_text("Live", timeout=RECONNECT_TIMEOUT_MS)
    expect_what_a_reload_shows(page, e2e_server, cast)
    assert feed_messages(page)[0].startswith("Reservation at 'Cuts rival-")
    assert page.evaluate("window.__e2eNoReload === true"), "the page was reloaded"


def test_an_import_of_500_updates_the_counts_exactly_with_few_redraws(cast, person, e2e_server):
    page = open_dashboard(person, cast)
    summaries = []
    page.on(
        "request",
        lambda request: summaries.append(request.url) if "/summary/" in request.url else None,
    )
    before, drawn = counts_on(page), renders(page)
    made_before = sum(chart_data(page, "reservations"))
    import_reservations(e2e_server, cast["mine"], 500, "Imported")
    expect_counts(page, {**before, "upcoming": before["upcoming"] + 500})
    expect_reservations_made(page, made_before + 500)
    expect(page.locator("#feed [data-field=message]").first).to_contain_text("Imported 499")
    expect(page.locator("#feed li")).to_have_count(50)
    page.wait_for_timeout(1500)  # any refresh still to come
    assert 1 <= renders(page) - drawn <= 5, f"{renders(page) - drawn} redraws for 500 events"
    assert 1 <= len(summaries) <= 5, f"{len(summaries)} summary reads for 500 events"


def test_a_reset_after_a_long_absence_reloads_the_state_in_place(cast, person, e2e_server):
    """More events than one resume replays (2,000): the server says reset, the page reads."""
    page = open_dashboard(person, cast)
    page.evaluate(
        """() => {
          const channel = globalThis.__tidewireSocket.channels.get("bookings.dashboard");
          const handleReset = channel.handleReset.bind(channel);
          window.__resets = 0;
          channel.handleReset = (frame) => { window.__resets += 1; handleReset(frame); };
        }"""
    )
    page.context.set_offline(True)
    expect(page.locator("#status")).to_have_attribute("data-status", NOT_CONNECTED)
    import_reservations(e2e_server, cast["mine"], 2100, "Bulk")
    page.context.set_offline(False)
    expect(page.locator("#status")).to_have_text("Live", timeout=RECONNECT_TIMEOUT_MS)
    expect_what_a_reload_shows(page, e2e_server, cast)
    assert page.evaluate("window.__resets") == 1
    assert page.evaluate("window.__e2eNoReload === true"), "the page was reloaded"


def test_an_owner_sees_their_reservations_live_and_never_another_owner_s(cast, person, e2e_server):
    _, page = person(PASSWORD, cast["owner"], "/business/")
    expect(page.locator("#status")).to_have_text("Live")
    page.evaluate("window.__e2eNoReload = true")
    expect(page.locator("section.board")).to_have_count(1)
    board = page.locator(f"section.board[data-business-id='{cast['mine']}']")
    expect(board.locator("[data-field=empty]")).to_be_visible()
    run(
        e2e_server,
        f"""
theirs = book({cast["theirs"]}, "Rival's customer")
mine = book({cast["mine"]}, "<b>Ada</b>")
brief = book({cast["mine"]}, "Short-lived")
services.reservation_delete(reservation_id=brief.pk)
services.reservation_update(reservation_id=mine.pk, changes={{"status": "confirmed"}})
services.reservation_update(reservation_id=theirs.pk, changes={{"status": "cancelled"}})
""",
    )
    row = board.locator(".reservation-row")
    expect(row).to_have_count(1)
    expect(row.locator("[data-field=customer_name]")).to_have_text("<b>Ada</b>")
    expect(row).to_have_attribute("data-status", "confirmed")
    expect(board.locator("[data-field=upcoming]")).to_have_text("1 upcoming")
    page.wait_for_timeout(500)  # anything else that might (wrongly) come
    assert "Rival" not in page.locator("main").inner_text()
    assert page.evaluate("window.__e2eNoReload === true"), "the page was reloaded"
    # Someone who owns nothing gets a friendly page, not an error.
    _, nobody = person(PASSWORD, cast["nobody"], "/business/")
    expect(nobody.locator("#no-business")).to_contain_text("own a business on Tidewire yet")


def test_an_owner_chooses_a_daily_digest_on_their_page(cast, person, e2e_server):
    _, page = person(PASSWORD, cast["owner"], "/business/")
    expect(page.locator("#delivery-each")).to_be_checked()
    page.locator("#delivery-daily_digest").check()
    expect(page.locator("#email-settings-state")).to_have_text("Saved: one email a day.")
    stored = run(
        e2e_server,
        f"""
from apps.bookings.selectors import owner_email_delivery
owner = User.objects.get(username={cast["owner"]!r})
print(json.dumps({{"delivery": owner_email_delivery(owner_id=owner.pk)}}))
""",
    )
    assert stored == {"delivery": "daily_digest"}
    page.reload()
    expect(page.locator("#delivery-daily_digest")).to_be_checked()


def test_changes_through_the_api_and_django_admin_show_live(cast, person, api, e2e_server):
    """Another super admin (the demo's `admin`) books through the REST API and confirms the
    booking in Django admin, in a browser of their own: the dashboard follows each step."""
    page = open_dashboard(person, cast)
    before = counts_on(page)
    made_before = sum(chart_data(page, "reservations"))
    owner_id = run(
        e2e_server,
        f'print(json.dumps({{"id": User.objects.get(username={cast["owner"]!r}).pk}}))',
    )["id"]
    tag = cast["owner"].split("-")[-1]
    business = api.post(
        "/api/businesses/",
        json={"name": f"API Salon {tag}", "subdomain": f"api-{tag}", "owner": owner_id},
    )
    assert business.status_code == 201, business.text
    reservation = api.post(
        "/api/reservations/",
        json={
            "business": business.json()["id"],
            "customer_name": "Hana",
            "customer_email": "hana@example.com",
            "service": "Haircut",
            "starts_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        },
    )
    assert reservation.status_code == 201, reservation.text
    expect_counts(
        page, {**before, "businesses": before["businesses"] + 1, "upcoming": before["upcoming"] + 1}
    )
    expect(page.locator("#recent-businesses tr").first.locator(".recent-name")).to_have_text(
        f"API Salon {tag}"
    )
    expect_reservations_made(page, made_before + 1)
    expect(page.locator("#feed [data-field=actor]").first).to_have_text(
        re.compile(r"via api|just now")
    )

    _, admin_page = person("tidewire-admin", "admin", "/admin/", synced=False)
    admin_page.goto(f"/admin/bookings/reservation/{reservation.json()['id']}/change/")
    admin_page.locator("select[name=status]").select_option("cancelled")
    admin_page.locator("input[name=_save]").click()
    expect(admin_page.locator(".messagelist")).to_contain_text("was changed successfully")

    expect(page.locator("#feed [data-field=message]").first).to_have_text(
        re.compile(rf"^Reservation at 'API Salon {tag}' cancelled: Hana, Haircut on ")
    )
    expect_counts(
        page,
        {
            **before,
            "businesses": before["businesses"] + 1,
            "cancelled_this_week": before["cancelled_this_week"] + 1,
        },
    )
    expect_what_a_reload_shows(page, e2e_server, cast)
    assert page.evaluate("window.__e2eNoReload === true"), "the page was reloaded"
