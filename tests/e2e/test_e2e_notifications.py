"""The bell in real Chromium: two tabs of one person, and a chat message from another."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import Page, expect

from tidewire.testing.servers import ServerProcess

pytestmark = pytest.mark.e2e

PASSWORD = "bell-e2e-pass-1"

_MAKE = """
import json
from decimal import Decimal
from django.contrib.auth.models import User
from apps.listings.services import listing_create
from apps.chat.services import conversation_open
seller = User.objects.create_user(username={seller!r}, password={password!r})
buyer = User.objects.create_user(username={buyer!r}, password={password!r})
listing = listing_create(seller=seller, title="Bell lamp", price=Decimal("15"))
conversation, _ = conversation_open(listing_id=listing.pk, buyer=buyer)
print(json.dumps({{"conversation": conversation.pk}}))
"""


@pytest.fixture
def pair(e2e_server: ServerProcess) -> dict:
    tag = uuid.uuid4().hex[:6]
    names = {"seller": f"bell-seller-{tag}", "buyer": f"bell-buyer-{tag}"}
    made = e2e_server.manage("shell", "-c", _MAKE.format(password=PASSWORD, **names))
    return {**json.loads(made.strip().splitlines()[-1]), **names}


def bell_count(page: Page):
    return page.locator("#bell-count")


def test_a_notification_bumps_every_tab_and_reading_in_one_clears_the_other(pair, person):
    _, tab_one = person(PASSWORD, pair["seller"], "/listings/")
    tab_two = tab_one.context.new_page()
    tab_two.goto("/window1/")
    for tab in (tab_one, tab_two):
        expect(tab.locator("#bell")).to_have_attribute("data-synced", "true")
        expect(bell_count(tab)).to_be_hidden()
    _, buyer = person(PASSWORD, pair["buyer"], f"/chat/{pair['conversation']}/")
    for n, text in enumerate(["Is the lamp warm white?", "And the cable length?"], start=1):
        buyer.locator("#body").fill(text)
        buyer.locator("#body").press("Enter")
        for tab in (tab_one, tab_two):  # exactly one more in each tab, not one per tab
            expect(bell_count(tab)).to_have_text(str(n))
    tab_one.locator("#bell-button").click()
    expect(tab_one.locator("#bell-list")).to_contain_text(f"New message from {pair['buyer']}")
    expect(tab_one.locator("#bell-list .bell-item")).to_have_count(2)
    tab_one.locator("#bell-read-all").click()
    for tab in (tab_one, tab_two):
        expect(bell_count(tab)).to_be_hidden()
    # One socket per tab, shared by the page and the bell.
    assert tab_two.evaluate("globalThis.__tidewireSocket.channels.size") == 2


def test_reading_the_chat_reads_its_notifications(pair, person):
    _, seller_tab = person(PASSWORD, pair["seller"], "/listings/")
    _, buyer = person(PASSWORD, pair["buyer"], f"/chat/{pair['conversation']}/")
    buyer.locator("#body").fill("Hello there")
    buyer.locator("#body").press("Enter")
    expect(bell_count(seller_tab)).to_have_text("1")
    room = seller_tab.context.new_page()
    room.goto(f"/chat/{pair['conversation']}/")
    expect(room.locator(".chat-message .chat-body", has_text="Hello there")).to_be_visible()
    expect(bell_count(seller_tab)).to_be_hidden()
    expect(bell_count(room)).to_be_hidden()
    # The notifications page lists it, read, live.
    page = seller_tab.context.new_page()
    page.goto("/notifications/")
    expect(page.locator(".notification-row")).to_have_count(1)
    expect(page.locator(".notification-row.unread")).to_have_count(0)


def test_email_can_be_turned_off_and_on_again_on_the_notifications_page(pair, person):
    _, page = person(PASSWORD, pair["seller"], "/notifications/")
    email = page.locator("input[data-kind='chat_message'][data-channel='email']")
    expect(email).to_be_checked()
    email.uncheck()
    page.reload()
    expect(email).not_to_be_checked()
    email.check()
    page.reload()
    expect(email).to_be_checked()
