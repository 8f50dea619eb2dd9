"""The SwapNest chat in real Chromium: two people in two browser contexts, one server.

Each test makes its own seller, buyer and listing (and a stranger) on the live
server, so tests share nothing but the server.
"""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tidewire.testing.servers import ServerProcess

pytestmark = pytest.mark.e2e

RECONNECT_TIMEOUT_MS = 20_000
PASSWORD = "chat-e2e-pass-1"

_MAKE_PEOPLE = """
import json
from decimal import Decimal
from django.contrib.auth.models import User
from apps.listings.models import Listing
from apps.chat.services import conversation_open
names = {names!r}
users = {{role: User.objects.create_user(username=name, password={password!r})
         for role, name in names.items()}}
listing = Listing.objects.create(seller=users["seller"], title={title!r}, price=Decimal("450"))
conversation, _ = conversation_open(listing_id=listing.pk, buyer=users["buyer"])
print(json.dumps({{"conversation": conversation.pk, "listing": listing.pk,
                  **{{role: user.pk for role, user in users.items()}}}}))
"""


@pytest.fixture
def people(e2e_server: ServerProcess) -> dict:
    """A seller, a buyer, a stranger and a conversation of the buyer about the seller's listing."""
    return make_people(e2e_server)


def make_people(e2e_server: ServerProcess) -> dict:
    """`people` for other browser tests of the chat (test_e2e_chat_extras.py)."""
    tag = uuid.uuid4().hex[:6]
    names = {role: f"{role}-{tag}" for role in ("seller", "buyer", "stranger")}
    script = _MAKE_PEOPLE.format(names=names, password=PASSWORD, title=f"Laptop {tag}")
    made = json.loads(e2e_server.manage("shell", "-c", script).strip().splitlines()[-1])
    return {**made, "names": names, "title": f"Laptop {tag}"}


def room(people: dict) -> str:
    return f"/chat/{people['conversation']}/"


def send(page: Page, text: str) -> None:
    page.locator("#body").fill(text)
    page.locator("#body").press("Enter")


def bubble(page: Page, text: str):
    return page.locator(".chat-message .chat-body", has_text=text)


def own_status(page: Page, text: str):
    return page.locator(".chat-message.own", has_text=text).locator(".chat-status")


def messages_stored(e2e_server: ServerProcess, people: dict, username: str) -> list[dict]:
    with httpx.Client(base_url=e2e_server.url, timeout=10) as client:
        token = client.post(
            "/api/auth/token/", json={"username": username, "password": PASSWORD}
        ).json()["access"]
        response = client.get(
            f"/api/conversations/{people['conversation']}/messages/?limit=200",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()["results"]


def test_a_message_reaches_the_other_live_and_its_ticks_advance_to_read(people, person):
    names = people["names"]
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    send(buyer, "Hello! Is the laptop still available?")
    # Stored: sent (no device of the seller has it yet).
    expect(own_status(buyer, "Is the laptop")).to_have_attribute("data-status", "sent")
    # The seller opens the list: it reached a device (delivered), then the room: read.
    _, seller_list = person(PASSWORD, names["seller"], "/chat/")
    expect(own_status(buyer, "Is the laptop")).to_have_attribute("data-status", "delivered")
    seller_list.locator(f"[data-conversation='{people['conversation']}']").click()
    expect(bubble(seller_list, "Is the laptop")).to_be_visible()
    expect(own_status(buyer, "Is the laptop")).to_have_attribute("data-status", "read")
    # And back, without a reload: the seller's answer appears in the buyer's room.
    seller = seller_list
    expect(seller.locator("body")).to_have_attribute("data-synced", "true")
    buyer.evaluate("window.__noReload = true")
    send(seller, "Yes, it's available!")
    expect(bubble(buyer, "Yes, it's available!")).to_be_visible()
    assert buyer.evaluate("window.__noReload === true")
    # Presence: each sees the other online.
    expect(buyer.locator("#presence")).to_have_text("online now")
    expect(seller.locator("#presence")).to_have_text("online now")


def test_typing_shows_and_clears_also_when_the_typists_tab_closes(people, person):
    names = people["names"]
    _, seller = person(PASSWORD, names["seller"], room(people))
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    buyer.locator("#body").press_sequentially("I'd offer", delay=30)
    typing = seller.locator("#typing")
    expect(typing).to_have_text(f"{names['buyer']} is typing…")
    send(buyer, "I'd offer 400")  # sending stops it
    expect(typing).to_be_hidden()
    buyer.locator("#body").press_sequentially("and pick it up", delay=30)
    expect(typing).to_be_visible()
    buyer.close()  # the tab goes: the server says stop (and presence says gone)
    expect(typing).to_be_hidden()
    expect(seller.locator("#presence")).to_have_text(re.compile(r"^last seen"))


def test_the_list_moves_and_badges_live_in_a_third_tab(people, person, e2e_server):
    names = people["names"]
    # A second conversation of the seller's, more recent than the first.
    other = e2e_server.manage(
        "shell",
        "-c",
        "from decimal import Decimal\n"
        "from django.contrib.auth.models import User\n"
        "from apps.listings.models import Listing\n"
        "from apps.chat.services import conversation_open, message_send\n"
        f"seller = User.objects.get(username={names['seller']!r})\n"
        f"stranger = User.objects.get(username={names['stranger']!r})\n"
        "listing = Listing.objects.create(seller=seller, title='Desk lamp', price=Decimal('15'))\n"
        "c, _ = conversation_open(listing_id=listing.pk, buyer=stranger)\n"
        "message_send(conversation_id=c.pk, sender=stranger, body='Lamp?', client_id='lamp-1')\n"
        "print(c.pk)",
    )
    lamp = int(other.strip().splitlines()[-1])
    _, seller_list = person(PASSWORD, names["seller"], "/chat/")
    rows = seller_list.locator(".conversation-row")
    expect(rows.first).to_have_attribute("data-conversation", str(lamp))
    laptop_row = seller_list.locator(f"[data-conversation='{people['conversation']}']")
    expect(laptop_row.locator(".unread")).to_be_hidden()
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    send(buyer, "Still for sale?")
    # Pushed, not polled: to the top, badge 1, a toast, all without a reload.
    expect(rows.first).to_have_attribute("data-conversation", str(people["conversation"]))
    expect(laptop_row.locator(".unread")).to_have_text("1")
    expect(laptop_row).to_contain_text("Still for sale?")
    expect(seller_list.locator("#toasts")).to_contain_text(f"New message from {names['buyer']}")
    # Reading in another tab clears the badge here.
    _, seller_room = person(PASSWORD, names["seller"], room(people))
    expect(bubble(seller_room, "Still for sale?")).to_be_visible()
    expect(laptop_row.locator(".unread")).to_be_hidden()
    # Search filters the list.
    seller_list.locator("#search").fill("lamp")
    expect(rows).to_have_count(1)


def test_a_message_written_offline_waits_survives_a_reload_and_arrives_once(
    people, person, e2e_server
):
    names = people["names"]
    _, seller = person(PASSWORD, names["seller"], room(people))
    buyer_context, buyer = person(PASSWORD, names["buyer"], room(people))
    buyer_context.set_offline(True)
    expect(buyer.locator("#status")).to_have_attribute(
        "data-status", re.compile(r"^(reconnecting|offline)$")
    )
    send(buyer, "Written on the train")
    expect(own_status(buyer, "Written on the train")).to_have_attribute("data-status", "waiting")
    send(buyer, "Second one")
    expect(own_status(buyer, "Second one")).to_have_attribute("data-status", "waiting")
    # The tab is closed before the link is back; opened again, it sends what waited.
    buyer.close()
    buyer_context.set_offline(False)
    buyer = buyer_context.new_page()
    buyer.goto(room(people))
    expect(bubble(seller, "Written on the train")).to_be_visible(timeout=RECONNECT_TIMEOUT_MS)
    expect(bubble(seller, "Second one")).to_be_visible()
    expect(own_status(buyer, "Second one")).to_have_attribute(
        "data-status", re.compile(r"^(sent|delivered|read)$"), timeout=RECONNECT_TIMEOUT_MS
    )
    stored = [m["body"] for m in messages_stored(e2e_server, people, names["buyer"])]
    assert stored.count("Written on the train") == 1 and stored.count("Second one") == 1
    assert stored.index("Second one") < stored.index("Written on the train")  # newest first
    expect(bubble(seller, "Written on the train")).to_have_count(1)
    assert buyer.evaluate("localStorage.length") == 0


def test_a_message_the_database_could_not_store_waits_and_goes_out_once(people, person, e2e_server):
    """The server answers a send `database_unavailable` (PostgreSQL restarting; the fault
    itself is tests/hardening/test_faults.py's, this is the page's side): the message
    shows "waiting", not "not sent", and goes out again by itself, stored once."""
    names = people["names"]
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    refused: list[str] = []

    def first_send_refused(ws):
        server = ws.connect_to_server()

        def from_page(message):
            frame = json.loads(message) if isinstance(message, str) else {}
            if frame.get("type") == "message" and not refused:
                refused.append(frame["client_id"])
                answer = {
                    "type": "error",
                    "code": "database_unavailable",
                    "message": "The database did not answer. Try again shortly.",
                    "ref": frame.get("ref"),
                }
                ws.send(json.dumps(answer))
                return
            server.send(message)

        ws.on_message(from_page)

    buyer.route_web_socket(re.compile(r"/ws/"), first_send_refused)
    buyer.reload()  # the page's socket now goes through the route
    expect(buyer.locator("body")).to_have_attribute("data-synced", "true")
    send(buyer, "Are you still there?")
    expect(own_status(buyer, "Are you still there?")).to_have_attribute("data-status", "waiting")
    expect(buyer.locator("#send-error")).to_contain_text("they go out by themselves")
    expect(own_status(buyer, "Are you still there?")).to_have_attribute(
        "data-status", re.compile(r"^(sent|delivered|read)$")
    )
    stored = messages_stored(e2e_server, people, names["buyer"])
    sent = [m for m in stored if m["body"] == "Are you still there?"]
    assert len(sent) == 1 and sent[0]["client_id"] == refused[0]


def test_a_retried_send_is_stored_once_over_rest_and_over_the_socket(people, person, e2e_server):
    names = people["names"]
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    conversation = people["conversation"]
    codes = buyer.evaluate(
        """async (id) => {
          const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
          const post = () => fetch(`/api/conversations/${id}/messages/`, {
            method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
            body: JSON.stringify({body: "REST retry", client_id: "rest-retry-1"}),
          }).then((r) => r.status);
          return [await post(), await post()];
        }""",
        conversation,
    )
    assert codes == [201, 200]
    acks = buyer.evaluate(
        """(id) => new Promise((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws/chat/${id}/`);
          const acks = [];
          ws.onopen = () => {
            for (let i = 0; i < 2; i++) {
              const frame = {type: "message", body: "Socket retry", client_id: "ws-retry-1"};
              ws.send(JSON.stringify(frame));
            }
          };
          ws.onmessage = (m) => {
            const frame = JSON.parse(m.data);
            if (frame.type === "ack") acks.push(frame.message.id);
            if (acks.length === 2) { ws.close(); resolve(acks); }
          };
        })""",
        conversation,
    )
    assert acks[0] == acks[1]
    stored = [m["body"] for m in messages_stored(e2e_server, people, names["buyer"])]
    assert stored.count("REST retry") == 1 and stored.count("Socket retry") == 1
    expect(bubble(buyer, "Socket retry")).to_have_count(1)


def test_a_stranger_cannot_open_fetch_or_subscribe(people, person):
    names = people["names"]
    _, stranger = person(PASSWORD, names["stranger"], "/chat/")
    conversation = people["conversation"]
    response = stranger.goto(room(people))
    assert response is not None and response.status == 404
    status = stranger.evaluate(
        "(id) => fetch(`/api/conversations/${id}/messages/`).then((r) => r.status)", conversation
    )
    assert status == 404
    close_code = stranger.evaluate(
        """(id) => new Promise((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws/chat/${id}/`);
          ws.onclose = (event) => resolve(event.code);
        })""",
        conversation,
    )
    assert close_code == 4403
    refusal = stranger.evaluate(
        """(id) => new Promise((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws/`);
          ws.onopen = () => ws.send(JSON.stringify(
            {type: "subscribe", topic: `chat.conversation.${id}`, ref: "s"}));
          ws.onmessage = (m) => { ws.close(); resolve(JSON.parse(m.data)); };
        })""",
        conversation,
    )
    assert (refusal["type"], refusal["code"]) == ("error", "forbidden")


def test_a_script_body_renders_as_text(people, person):
    names = people["names"]
    _, seller = person(PASSWORD, names["seller"], room(people))
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    seller.evaluate("window.__xss = false")
    send(buyer, "<script>window.__xss = true</script><b>bold?</b>")
    expect(bubble(seller, "<script>window.__xss = true</script><b>bold?</b>")).to_be_visible()
    assert seller.locator(".chat-message b").count() == 0
    assert seller.evaluate("window.__xss") is False


def test_contact_seller_opens_the_one_conversation_and_its_card_follows_the_listing(
    people, person, e2e_server
):
    names = people["names"]
    _, buyer = person(PASSWORD, names["buyer"], "/listings/")
    card = buyer.locator(f"[data-listing-id='{people['listing']}']")
    card.get_by_role("button", name="Contact seller").click()
    buyer.wait_for_url(f"**/chat/{people['conversation']}/")
    buyer.goto("/listings/")
    card.get_by_role("button", name="Contact seller").click()  # a second click reopens it
    buyer.wait_for_url(f"**/chat/{people['conversation']}/")
    expect(buyer.locator("body")).to_have_attribute("data-synced", "true")
    expect(buyer.locator("#listing-price")).to_have_text("450.00")
    # The seller lowers the price and reserves it: the card at the top of the room follows.
    with httpx.Client(base_url=e2e_server.url, timeout=10) as client:
        token = client.post(
            "/api/auth/token/", json={"username": names["seller"], "password": PASSWORD}
        ).json()["access"]
        response = client.patch(
            f"/api/listings/{people['listing']}/",
            json={"price": "399.00", "status": "reserved"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
    expect(buyer.locator("#listing-price")).to_have_text("399.00")
    expect(buyer.locator("#listing-status")).to_have_text("Reserved")
    # The seller cannot contact themself: no button on their own listing.
    _, seller = person(PASSWORD, names["seller"], "/listings/")
    own = seller.locator(f"[data-listing-id='{people['listing']}']")
    expect(own).to_be_visible()
    expect(own.get_by_role("button", name="Contact seller")).to_have_count(0)


def test_a_room_that_was_offline_catches_up_every_message_in_order_once(people, person):
    names = people["names"]
    seller_context, seller = person(PASSWORD, names["seller"], room(people))
    _, buyer = person(PASSWORD, names["buyer"], room(people))
    seller.evaluate("window.__noReload = true")
    seller_context.set_offline(True)
    expect(seller.locator("#status")).to_have_attribute(
        "data-status", re.compile(r"^(reconnecting|offline)$")
    )
    missed = [f"missed {n}" for n in range(1, 6)]
    for text in missed:
        send(buyer, text)
        expect(own_status(buyer, text)).to_have_attribute("data-status", "sent")
    seller_context.set_offline(False)
    expect(seller.locator("#status")).to_have_attribute(
        "data-status", "connected", timeout=RECONNECT_TIMEOUT_MS
    )
    for text in missed:
        expect(bubble(seller, text)).to_have_count(1)
    shown = seller.locator(".chat-message .chat-body").all_text_contents()
    assert [t for t in shown if t.startswith("missed")] == missed
    assert seller.evaluate("window.__noReload === true")
    # Read on catching up: the buyer's ticks go to read.
    expect(own_status(buyer, "missed 5")).to_have_attribute("data-status", "read")
