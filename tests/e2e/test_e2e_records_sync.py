"""Live record sync in real Chromium: two windows, one server, changes shown without reload.

Window 1 edits the first name and shows the last read-only; window 2 the reverse.
Every test makes its own records through the REST API.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

# Reconnecting waits out the socket's backoff (up to a few seconds per try).
RECONNECT_TIMEOUT_MS = 20_000
NOT_CONNECTED = re.compile(r"^(reconnecting|offline)$")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def type_over(field: Locator, text: str) -> None:
    """Replace a field's text key by key, as a person types (each key restarts the debounce)."""
    field.click()
    field.press("Control+a")
    field.press_sequentially(text, delay=40)


def mark_page(page: Page) -> None:
    """Leave a marker in the page's JS state: a reload would wipe it."""
    page.evaluate("window.__e2eNoReload = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__e2eNoReload === true"), "the page was reloaded"


def is_patch_of(record_id: int, field: str, value: str):
    """Match the PATCH that saves `field` = `value` (the last one of a typing burst)."""

    def predicate(response) -> bool:
        request = response.request
        if request.method != "PATCH" or not request.url.endswith(f"/api/users/{record_id}/"):
            return False
        return json.loads(request.post_data or "{}").get(field) == value

    return predicate


def test_typing_first_name_in_window1_shows_in_window2(open_window, make_record, api):
    record = make_record()
    window1 = open_window(1, record["id"])
    window2 = open_window(2, record["id"])
    expect(window1.locator("#first_name")).to_be_editable()
    expect(window1.locator("#last_name")).not_to_be_editable()
    expect(window2.locator("#first_name")).not_to_be_editable()
    expect(window2.locator("#first_name")).to_have_value(record["first_name"])
    mark_page(window2)

    typed = unique("Typed")
    type_over(window1.locator("#first_name"), typed)

    expect(window2.locator("#first_name")).to_have_value(typed)
    expect(window2.locator("#last_name")).to_have_value(record["last_name"])
    assert_not_reloaded(window2)
    expect(window1.locator("#save-state")).to_have_text("Saved")
    expect(window1.locator("#first_name")).to_have_value(typed)
    assert api.get(f"/api/users/{record['id']}/").json()["first_name"] == typed

    # For a person to look at (see the report): both windows after a live edit.
    window1.screenshot(path="/tmp/e2e-window1.png", full_page=True)
    window2.screenshot(path="/tmp/e2e-window2.png", full_page=True)


def test_typing_last_name_in_window2_shows_in_window1(open_window, make_record, api):
    record = make_record()
    window1 = open_window(1, record["id"])
    window2 = open_window(2, record["id"])
    expect(window2.locator("#last_name")).to_be_editable()
    expect(window1.locator("#last_name")).not_to_be_editable()
    expect(window1.locator("#last_name")).to_have_value(record["last_name"])
    mark_page(window1)

    typed = unique("Typed")
    type_over(window2.locator("#last_name"), typed)

    expect(window1.locator("#last_name")).to_have_value(typed)
    expect(window1.locator("#first_name")).to_have_value(record["first_name"])
    assert_not_reloaded(window1)
    expect(window2.locator("#save-state")).to_have_text("Saved")
    assert api.get(f"/api/users/{record['id']}/").json()["last_name"] == typed


def test_create_user_in_window1_appears_in_window2_picker(open_window, api):
    window1 = open_window(1)
    window2 = open_window(2)
    mark_page(window2)
    first_name, last_name = unique("New"), unique("Person")

    window1.locator("#new_first_name").fill(first_name)
    window1.locator("#new_last_name").fill(last_name)
    window1.locator("#create").click()

    expect(window2.locator("#picker option", has_text=f"{first_name} {last_name}")).to_have_count(1)
    assert_not_reloaded(window2)
    # Window 1 moves to the record it created and empties the form.
    expect(window1.locator("#first_name")).to_have_value(first_name)
    expect(window1.locator("#last_name")).to_have_value(last_name)
    expect(window1.locator("#new_first_name")).to_have_value("")
    expect(window1.locator("#create-error")).to_have_text("")
    records = api.get("/api/users/").json()
    created = [r for r in records if r["first_name"] == first_name and r["last_name"] == last_name]
    assert len(created) == 1, created
    option = window2.locator(f"#picker option[value='{created[0]['id']}']")
    expect(option).to_contain_text(f"{first_name} {last_name}")


def test_saved_edit_survives_reload(open_window, make_record, api):
    record = make_record()
    window1 = open_window(1, record["id"])
    typed = unique("Kept")

    with window1.expect_response(is_patch_of(record["id"], "first_name", typed)) as saved:
        type_over(window1.locator("#first_name"), typed)
    assert saved.value.ok, saved.value.text()
    expect(window1.locator("#save-state")).to_have_text("Saved")

    window1.reload()
    expect(window1.locator("#first_name")).to_have_value(typed)
    expect(window1.locator("#last_name")).to_have_value(record["last_name"])
    stored = api.get(f"/api/users/{record['id']}/").json()
    assert stored["first_name"] == typed
    assert stored["version"] > record["version"]


def test_status_shows_connected(open_window, make_record):
    record = make_record()
    window1 = open_window(1, record["id"], connected=False)
    status = window1.locator("#status")

    expect(status).to_have_attribute("data-status", "connected")
    expect(status).to_have_text("Connected")


def test_windows_reconnect_after_server_restart_and_catch_up(
    open_window, make_record, e2e_server, api
):
    record = make_record()
    windows = [open_window(1, record["id"]), open_window(2, record["id"])]
    for window in windows:
        mark_page(window)

    e2e_server.stop()
    for window in windows:
        expect(window.locator("#status")).to_have_attribute("data-status", NOT_CONNECTED)

    # A change no window can see: made through the service layer while the server is
    # down, so it is only in the database (and its event stream).
    while_down = unique("WhileDown")
    e2e_server.manage(
        "shell",
        "-c",
        "from apps.records.services import user_record_update; "
        f"user_record_update(record_id={record['id']}, changes={{'first_name': {while_down!r}}})",
    )
    e2e_server.start()
    # And one through the API the moment the server is back, before or after the
    # windows find it again.
    just_back = unique("JustBack")
    response = api.patch(f"/api/users/{record['id']}/", json={"last_name": just_back})
    assert response.status_code == 200, response.text

    for window in windows:
        expect(window.locator("#status")).to_have_attribute(
            "data-status", "connected", timeout=RECONNECT_TIMEOUT_MS
        )
        expect(window.locator("#first_name")).to_have_value(while_down)
        expect(window.locator("#last_name")).to_have_value(just_back)
        assert_not_reloaded(window)


def test_blank_name_shows_server_error_and_keeps_old_value(open_window, make_record, api):
    record = make_record()
    window1 = open_window(1, record["id"])
    window2 = open_window(2, record["id"])
    field_error = window1.locator("#field-error")
    expect(field_error).to_have_text("")
    # What the server says about a blank name (a refused PATCH changes nothing).
    refused = api.patch(f"/api/users/{record['id']}/", json={"first_name": ""})
    assert refused.status_code == 400, refused.text
    message = refused.json()["first_name"][0]

    editor = window1.locator("#first_name")
    editor.click()
    editor.press("Control+a")
    editor.press("Backspace")

    expect(field_error).to_contain_text(message)
    expect(field_error).to_be_visible()
    expect(window1.locator("#save-state")).not_to_have_text("Saved")
    assert api.get(f"/api/users/{record['id']}/").json()["first_name"] == record["first_name"]
    expect(window2.locator("#first_name")).to_have_value(record["first_name"])


def test_picker_shows_the_chosen_record(open_window, make_record):
    first, second = make_record(), make_record()
    window1 = open_window(1, first["id"])
    expect(window1.locator("#first_name")).to_have_value(first["first_name"])

    window1.locator("#picker").select_option(str(second["id"]))

    expect(window1.locator("#first_name")).to_have_value(second["first_name"])
    expect(window1.locator("#last_name")).to_have_value(second["last_name"])
    expect(window1).to_have_url(re.compile(rf"\?record={second['id']}$"))


def test_a_window_that_was_offline_shows_the_latest_values_when_back(open_window, make_record, api):
    record = make_record()
    window1 = open_window(1, record["id"])
    window2 = open_window(2, record["id"])
    mark_page(window1)

    window1.context.set_offline(True)
    expect(window1.locator("#status")).to_have_attribute("data-status", NOT_CONNECTED)
    typed = unique("WhileAway")
    type_over(window2.locator("#last_name"), typed)
    expect(window2.locator("#save-state")).to_have_text("Saved")
    also = unique("AlsoAway")
    assert api.patch(f"/api/users/{record['id']}/", json={"first_name": also}).status_code == 200
    expect(window1.locator("#last_name")).to_have_value(record["last_name"])  # it cannot know

    window1.context.set_offline(False)
    expect(window1.locator("#status")).to_have_attribute(
        "data-status", "connected", timeout=RECONNECT_TIMEOUT_MS
    )
    expect(window1.locator("#last_name")).to_have_value(typed)
    expect(window1.locator("#first_name")).to_have_value(also)
    assert_not_reloaded(window1)


def test_editing_a_field_another_window_just_changed_shows_a_conflict_notice(
    open_window, make_record, api
):
    record = make_record()
    mine_window = open_window(1, record["id"])
    watcher = open_window(2, record["id"])
    editor = mine_window.locator("#first_name")
    mine, theirs = unique("Mine"), unique("Theirs")

    # The user types; before the debounced save goes out, someone else saves the same field.
    type_over(editor, mine)
    assert api.patch(f"/api/users/{record['id']}/", json={"first_name": theirs}).status_code == 200

    notice = mine_window.locator("#conflict")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(theirs)
    expect(editor).to_have_value(mine)  # the user's text is kept, not overwritten
    assert api.get(f"/api/users/{record['id']}/").json()["first_name"] == theirs
    expect(watcher.locator("#first_name")).to_have_value(theirs)

    mine_window.locator("#keep-mine").click()
    expect(notice).to_be_hidden()
    expect(mine_window.locator("#save-state")).to_have_text("Saved")
    expect(watcher.locator("#first_name")).to_have_value(mine)
    assert api.get(f"/api/users/{record['id']}/").json()["first_name"] == mine


def test_use_theirs_drops_the_users_text(open_window, make_record, api):
    record = make_record()
    window1 = open_window(1, record["id"])
    type_over(window1.locator("#first_name"), unique("Mine"))
    theirs = unique("Theirs")
    assert api.patch(f"/api/users/{record['id']}/", json={"first_name": theirs}).status_code == 200
    expect(window1.locator("#conflict")).to_be_visible()

    window1.locator("#use-theirs").click()

    expect(window1.locator("#first_name")).to_have_value(theirs)
    expect(window1.locator("#conflict")).to_be_hidden()
    assert api.get(f"/api/users/{record['id']}/").json()["first_name"] == theirs


def test_a_change_to_the_other_field_meanwhile_is_merged_without_a_notice(
    open_window, make_record, api
):
    record = make_record()
    window1 = open_window(1, record["id"])
    mine, other = unique("Mine"), unique("OtherField")
    type_over(window1.locator("#first_name"), mine)
    assert api.patch(f"/api/users/{record['id']}/", json={"last_name": other}).status_code == 200

    expect(window1.locator("#save-state")).to_have_text("Saved")
    expect(window1.locator("#conflict")).to_be_hidden()
    stored = api.get(f"/api/users/{record['id']}/").json()
    assert (stored["first_name"], stored["last_name"]) == (mine, other)
    expect(window1.locator("#last_name")).to_have_value(other)


def test_a_reader_watches_live_but_cannot_edit(open_window, make_record, api, e2e_server):
    record = make_record()
    e2e_server.manage(
        "shell",
        "-c",
        "from apps.accounts.services import user_sign_up; "
        "user_sign_up(username='e2e-reader', email='r@example.com', password='reader-pass-42')",
    )
    reader = open_window(1, record["id"], account=("e2e-reader", "reader-pass-42"))
    expect(reader.locator("#view-only")).to_be_visible()
    expect(reader.locator("#first_name")).not_to_be_editable()
    expect(reader.locator("#create-form")).to_have_count(0)

    changed = unique("Seen")
    assert api.patch(f"/api/users/{record['id']}/", json={"first_name": changed}).status_code == 200
    expect(reader.locator("#first_name")).to_have_value(changed)


def test_pages_need_a_login(browser, e2e_server):
    context = browser.new_context(base_url=e2e_server.url)
    page = context.new_page()
    page.goto("/window1/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/window1/$"))
    expect(page.locator("#demo-accounts")).to_be_visible()  # development settings list them
    context.close()
