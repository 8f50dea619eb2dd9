"""Marketplace extras in real Chromium (issue 14): photos, edit and delete, block and report.

Two people in two browser contexts on one server, as in test_e2e_chat.py,
whose per-test people (a seller, a buyer, a stranger and their conversation)
these tests reuse.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.test_e2e_chat import PASSWORD, bubble, make_people, messages_stored, room, send
from tidewire.testing.servers import ServerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(e2e_server: ServerProcess) -> dict:
    """A seller, a buyer, a stranger and their conversation, new for each test."""
    return make_people(e2e_server)


def jpeg(size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def own(page: Page, text: str):
    return page.locator(".chat-message.own", has_text=text)


def test_a_photo_sent_by_one_appears_as_a_thumbnail_for_the_other(people, person):
    names = people["names"]
    _, seller = person(PASSWORD, names["seller"], room(people))
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    buyer.locator("#photos").set_input_files(
        [{"name": "scratch.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    expect(buyer.locator("#photos-chosen")).to_have_text("1 photo to send")
    send(buyer, "The scratch on the lid")
    # The other side: a thumbnail made by the server, loaded, linking to the full image.
    thumbnail = seller.locator(".chat-message", has_text="The scratch").locator(".chat-photos img")
    expect(thumbnail).to_be_visible()
    seller.wait_for_function(
        "() => [...document.querySelectorAll('.chat-photos img')].some(i => i.naturalWidth > 0)"
    )
    assert thumbnail.evaluate("img => img.naturalWidth") == 320  # 800 px scaled down
    full_url = thumbnail.locator("xpath=..").get_attribute("href")
    full = seller.request.get(full_url)
    assert full.status == 200 and full.headers["content-type"] == "image/jpeg"
    # The sender's own bubble shows the stored thumbnail too, the upload done.
    expect(own(buyer, "The scratch").locator(".chat-photos img")).to_be_visible()
    expect(own(buyer, "The scratch").locator(".chat-progress")).to_have_count(0)
    # A stranger with the URL gets nothing.
    _, stranger = person(PASSWORD, names["stranger"], "/chat/")
    assert stranger.request.get(full_url).status == 404


def test_an_edit_and_a_delete_reach_the_other_side_live(people, person):
    names = people["names"]
    _, seller = person(PASSWORD, names["seller"], room(people))
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    send(buyer, "Is it stil available?")
    expect(bubble(seller, "Is it stil available?")).to_be_visible()
    mine = own(buyer, "Is it stil available?")
    mine.locator(".chat-edit").click()
    editor = buyer.locator(".chat-editor textarea")
    editor.fill("Is it still available?")
    editor.press("Enter")
    # The seller's room changes in place: the new text, marked edited.
    edited = seller.locator(".chat-message", has_text="Is it still available?")
    expect(edited).to_be_visible()
    expect(edited.locator(".chat-edited")).to_have_text("edited")
    expect(bubble(seller, "stil available")).to_have_count(0)
    # The seller cannot change the buyer's message (no Edit), only report it.
    expect(edited.locator(".chat-edit")).to_have_count(0)
    # Deleted for everyone: a tombstone on both sides.
    buyer.once("dialog", lambda dialog: dialog.accept())
    own(buyer, "Is it still available?").locator(".chat-delete").click()
    expect(seller.locator(".chat-message[data-deleted='true'] .chat-body")).to_have_text(
        "message deleted"
    )
    expect(bubble(seller, "Is it still available?")).to_have_count(0)
    # And after a reload, from the server.
    seller.reload()
    expect(seller.locator(".chat-message[data-deleted='true'] .chat-body")).to_have_text(
        "message deleted"
    )


def test_a_blocked_users_send_is_refused_and_nothing_arrives(e2e_server, people, person):
    names = people["names"]
    _, seller = person(PASSWORD, names["seller"], room(people))
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    send(buyer, "Pay me outside the site")
    # The seller reports it with a reason, then blocks the buyer.
    seller.once("dialog", lambda dialog: dialog.accept("Asks to pay outside the site"))
    seller.locator(".chat-message", has_text="Pay me outside").locator(".chat-report").click()
    expect(seller.locator(".chat-message", has_text="Pay me outside")).to_contain_text("reported")
    seller.once("dialog", lambda dialog: dialog.accept())
    seller.locator("#block-toggle").click()
    expect(seller.locator("#block-toggle")).to_have_text("Unblock")
    expect(seller.locator("#block-notice")).to_be_visible()
    # The buyer's next message is refused, says why, and never reaches the seller.
    send(buyer, "Hello? Are you there?")
    expect(own(buyer, "Are you there?").locator(".chat-status")).to_have_text("not sent")
    expect(buyer.locator("#send-error")).to_contain_text("blocked")
    seller.wait_for_timeout(500)
    expect(bubble(seller, "Are you there?")).to_have_count(0)
    bodies = [m["body"] for m in messages_stored(e2e_server, people, names["seller"])]
    assert bodies == ["Pay me outside the site"]
    # Unblocked, messages pass again.
    seller.locator("#block-toggle").click()
    expect(seller.locator("#block-toggle")).to_have_text("Block")
    send(buyer, "Back again")
    expect(bubble(seller, "Back again")).to_be_visible()


def test_archive_hides_a_conversation_until_a_new_message_and_search_reads_history(people, person):
    names = people["names"]
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    send(buyer, "Does the keyboard have a German layout?")
    send(buyer, "And the charger?")
    _, seller = person(PASSWORD, names["seller"], "/chat/")
    row = seller.locator(f"[data-conversation='{people['conversation']}']")
    expect(row).to_be_visible()
    # Search finds it by an older message's text (the server's search, not the preview).
    seller.locator("#search").fill("german layout")
    expect(row).to_be_visible()
    seller.locator("#search").fill("bicycle")
    expect(row).to_have_count(0)
    seller.locator("#search").fill("")
    # Archived: out of the inbox, under Archived.
    row.locator(".archive-toggle").click()
    expect(row).to_have_count(0)
    seller.locator("#show-archived").check()
    expect(row).to_be_visible()
    seller.locator("#show-archived").uncheck()
    # A new message brings it back, live.
    send(buyer, "Still there?")
    expect(row).to_be_visible()
    expect(row.locator(".preview")).to_contain_text("Still there?")
