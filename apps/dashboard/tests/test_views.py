"""The /dashboard/ and /business/ pages: who may open them and what they embed."""

import json
import re
from datetime import UTC, datetime

import pytest

from apps.bookings.topics import business_topic
from tidewire.streams import stream_offset

pytestmark = pytest.mark.django_db

STARTS_AT = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)


def embedded(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    return json.loads(match.group(1))


@pytest.mark.parametrize("path", ["/dashboard/", "/business/"])
def test_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={path}")


def test_the_dashboard_is_403_for_a_business_owner(client, owner, salon):
    client.force_login(owner)
    assert client.get("/dashboard/").status_code == 403


def test_the_dashboard_loads_chart_js_from_npm_and_its_script(client, super_admin):
    client.force_login(super_admin)
    response = client.get("/dashboard/?range=7d&type=business_created")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<script src="/static/vendor/chart.js/dist/chart.umd.min.js"></script>' in html
    assert 'src="/static/dashboard/dashboard.js"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert embedded(html, "dashboard-initial") == {
        "range": "7d",
        "type": "business_created",
        "time_zone": "UTC",
    }
    assert 'id="charts" data-renders="0"' in html
    assert 'id="bell"' in html


def test_the_dashboard_ignores_an_unknown_range_or_type(client, super_admin):
    client.force_login(super_admin)
    html = client.get("/dashboard/?range=1y&type=<script>").content.decode()
    assert embedded(html, "dashboard-initial")["range"] == "24h"
    assert embedded(html, "dashboard-initial")["type"] == ""


def test_an_owner_s_business_page_shows_only_their_businesses_and_reservations(
    client, owner, salon, other_salon, book
):
    book(STARTS_AT, customer="Mine")
    book(STARTS_AT, business=other_salon, customer="Not yours")
    client.force_login(owner)
    html = client.get("/business/").content.decode()
    [board] = embedded(html, "boards-data")
    assert board["business"] == {
        "id": salon.pk,
        "name": "Olivia's Salon",
        "subdomain": "olivia",
        "owner": "olivia",
    }
    assert board["topic"] == business_topic(salon.pk)
    assert board["offset"] == stream_offset(topic=business_topic(salon.pk))
    assert [r["customer_name"] for r in board["reservations"]] == ["Mine"]
    assert "Not yours" not in html and "Oscar" not in html
    assert 'id="no-business"' not in html


def test_a_super_admin_s_business_page_shows_every_business(
    client, super_admin, salon, other_salon
):
    client.force_login(super_admin)
    html = client.get("/business/").content.decode()
    assert [b["business"]["name"] for b in embedded(html, "boards-data")] == [
        "Oscar's Cuts",
        "Olivia's Salon",
    ]


def test_someone_without_a_business_gets_a_friendly_empty_page(client, other_owner):
    client.force_login(other_owner)
    response = client.get("/business/")
    html = response.content.decode()
    assert response.status_code == 200
    assert embedded(html, "boards-data") == []
    assert 'id="no-business"' in html
    assert "own a business on Tidewire yet" in html


def test_names_are_embedded_as_json_not_markup(client, owner):
    from apps.bookings import services

    services.business_create(name="<img src=x onerror=alert(1)>", subdomain="x", owner=owner)
    client.force_login(owner)
    html = client.get("/business/").content.decode()
    assert "<img src=x" not in html
    assert embedded(html, "boards-data")[0]["business"]["name"] == "<img src=x onerror=alert(1)>"


def test_an_owner_s_page_offers_their_email_choice_as_stored(client, owner, salon):
    from apps.bookings.services import owner_email_settings_set

    owner_email_settings_set(owner_id=owner.pk, delivery="daily_digest")
    client.force_login(owner)
    html = client.get("/business/").content.decode()
    assert 'id="email-settings"' in html
    assert 'value="daily_digest" checked' in html and 'value="each" checked' not in html
    assert "dashboard/email_settings.js" in html


def test_someone_without_a_business_is_not_offered_the_email_choice(client, other_owner):
    client.force_login(other_owner)
    assert 'id="email-settings"' not in client.get("/business/").content.decode()
