"""Names in real Chromium: hidden direction characters are refused, right-to-left names isolated."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

OVERRIDE = "Ann\u202egnp.exe"  # shows as "Annexe.png" where it is not refused
ARABIC = "محمد"


def test_a_name_with_a_direction_override_is_refused_by_window_and_api(open_window, api):
    window1 = open_window(1)
    last_name = f"Override-{uuid.uuid4().hex[:6]}"
    window1.locator("#new_first_name").fill(OVERRIDE)
    window1.locator("#new_last_name").fill(last_name)
    window1.locator("#create").click()

    expect(window1.locator("#create-error")).to_contain_text("first_name")
    expect(window1.locator("#create-error")).to_contain_text("U+202E")
    refused = api.post("/api/users/", json={"first_name": OVERRIDE, "last_name": last_name})
    assert refused.status_code == 400, refused.text
    assert "U+202E" in refused.json()["first_name"][0]
    stored = api.get("/api/users/").json()
    assert [r for r in stored if r["last_name"] == last_name] == []


def test_an_arabic_name_shows_in_an_element_of_its_own_direction(open_window, make_record):
    record = make_record(first_name=ARABIC)
    window2 = open_window(2, record["id"])  # the first name shows read-only here
    first_name, last_name = window2.locator("#first_name"), window2.locator("#last_name")

    expect(first_name).to_have_value(ARABIC)
    expect(first_name).to_have_attribute("dir", "auto")
    assert first_name.evaluate("element => element.matches(':dir(rtl)')")
    assert last_name.evaluate("element => element.matches(':dir(ltr)')")
    # An <option> holds text only: the name is isolated there with U+2068 ... U+2069.
    option = window2.locator(f"#picker option[value='{record['id']}']")
    expect(option).to_have_text(f"#{record['id']} \u2068{ARABIC} {record['last_name']}\u2069")
