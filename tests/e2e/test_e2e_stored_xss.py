"""Stored XSS rendered in real Chromium: every text a user provides stays text on every page.

Hostile strings (a script element, an `<img>` and an `<svg>` with event handlers,
a `javascript:` URL, template expressions) are stored through the REST API in every
text field a user provides and a page shows: record first and last names, listing
title and description, chat message bodies, business names, reservation customer
names, e-mails and services, and the notifications made from them (a chat message,
an offer on the listing, a reservation). Each page that shows them is opened in
Chromium, after the fact and while they arrive over the socket. Checked on every
page: the literal text is shown (inputs hold it as their value), no `<img src=x>`,
`<svg onload>`, inline `<script>` or event-handler attribute exists in the document,
`window.__xss` stays undefined, and no dialog opens.

The pages' Content-Security-Policy is bypassed (Playwright's `bypass_csp`), so only
the escaping is tried here: an injected handler would run. The policy itself, the
second layer (`script-src 'self'`, no inline script), is checked in tests/test_security.py
(`test_pages_carry_a_strict_content_security_policy`, `test_no_template_has_an_inline_script`).
Usernames cannot carry any of these strings: sign-up refuses each (tried here too),
and the refused form shows the value back as text.

The server is this module's own (the embedded default with the demo accounts), so
no other browser test meets these strings. The counts are printed under "hardening
figures (browser)".
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlparse

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tidewire.testing.servers import ServerProcess

pytestmark = pytest.mark.e2e

PAYLOADS = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload="window.__xss=1">',
    "javascript:window.__xss=1",
    "{{7*7}}",
    "${7*7}",
)
# A quoted local part takes markup without spaces (RFC 5321), and Django's EmailValidator
# accepts it: `/` separates the attributes instead.
EMAIL_PAYLOAD = '"<svg/onload=window.__xss=1>"@example.com'
# Anything an injection would leave in the document: the payloads' elements, any
# event-handler attribute, a script that is not a file (json_script data is JSON).
INJECTED = (
    "img[src='x'], svg[onload], [onerror], [onload], "
    "script:not([src]):not([type='application/json'])"
)
# Every element that ever matched INJECTED on the page, even one replaced a moment later
# (a message re-rendered after its receipt): run in each page before its own scripts.
WATCH_INJECTIONS = f"""
window.__injected = [];
new MutationObserver((records) => {{
  for (const record of records) {{
    const nodes = record.type === "attributes" ? [record.target] : [...record.addedNodes];
    for (const node of nodes) {{
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      for (const element of [node, ...node.querySelectorAll("*")]) {{
        if (element.matches({INJECTED!r})) window.__injected.push(element.outerHTML.slice(0, 200));
      }}
    }}
  }}
}}).observe(document, {{ childList: true, subtree: true, attributes: true }});
"""
DEMO = {name: f"tidewire-{name}" for name in ("admin", "owner", "seller", "buyer")}


class Stored(NamedTuple):
    """What the module stored through the API, one of each per payload, and for whom."""

    records: list[int]
    listings: list[int]
    conversations: list[int]
    businesses: list[int]
    owner_id: int


@pytest.fixture
def e2e_server(module_server: ServerProcess) -> ServerProcess:
    """This module's own server, for the shared browser fixtures (person, new_page)."""
    module_server.start()
    return module_server


def api_as(server: ServerProcess, username: str) -> httpx.Client:
    """The REST API with a bearer token for a demo account."""
    client = httpx.Client(base_url=server.url, timeout=10)
    response = client.post(
        "/api/auth/token/", json={"username": username, "password": DEMO[username]}
    )
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access']}"
    return client


def user_id(client: httpx.Client) -> int:
    """The caller's user id, from the `user_id` claim of its access token."""
    claims = client.headers["Authorization"].split(".")[1]
    return int(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["user_id"])


def created(response: httpx.Response) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


def later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def reservation(business: int, payload: str, n: int) -> dict:
    """A reservation whose customer and service are `payload`, `n` days from now."""
    return {
        "business": business,
        "customer_name": payload,
        "customer_email": EMAIL_PAYLOAD,
        "service": payload,
        "starts_at": later(days=2 + n),
    }


def store_all(server: ServerProcess, payloads: tuple[str, ...], tag: str) -> Stored:
    """One of everything per payload, through the API, as the people who may write it."""
    admin, seller, buyer, owner = (
        api_as(server, name) for name in ("admin", "seller", "buyer", "owner")
    )
    stored = Stored([], [], [], [], user_id(owner))
    for n, payload in enumerate(payloads):
        names = {"first_name": payload, "last_name": payload}
        record = created(admin.post("/api/users/", json=names))
        stored.records.append(record["id"])
        listing = created(
            seller.post(
                "/api/listings/", json={"title": payload, "description": payload, "price": "50"}
            )
        )
        stored.listings.append(listing["id"])
        conversation = created(buyer.post(f"/api/listings/{listing['id']}/conversation/"))
        stored.conversations.append(conversation["id"])
        created(
            seller.post(
                f"/api/conversations/{conversation['id']}/messages/",
                json={"body": payload, "client_id": f"xss-{tag}-{n}"},
            )
        )
        # The seller's notification names the listing: "buyer offered €40 for <title>."
        created(buyer.post(f"/api/listings/{listing['id']}/offers/", json={"amount": "40"}))
        business = created(
            admin.post(
                "/api/businesses/",
                json={"name": payload, "subdomain": f"xss-{tag}-{n}", "owner": stored.owner_id},
            )
        )
        stored.businesses.append(business["id"])
        # The owner's notification names all three:
        # "New reservation at '<name>': <customer>, <service> on …"
        created(admin.post("/api/reservations/", json=reservation(business["id"], payload, n)))
    for client in (admin, seller, buyer, owner):
        client.close()
    return stored


@pytest.fixture(scope="module")
def stored(module_server: ServerProcess) -> Stored:
    return store_all(module_server, PAYLOADS, tag="load")


class Visitor:
    """A demo account in Chromium, the page's CSP bypassed, every dialog recorded."""

    def __init__(self, person, username: str) -> None:
        # Logged in on the landing page; each checked page is opened with the dialog
        # listener on (without one, Playwright dismisses a dialog unseen).
        self.context, self.page = person(
            DEMO[username], username, "/", synced=False, bypass_csp=True
        )
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)
        self.context.add_init_script(WATCH_INJECTIONS)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def synced(self) -> None:
        expect(self.page.locator("body")).to_have_attribute("data-synced", "true")
        expect(self.page.locator("#bell")).to_have_attribute("data-synced", "true")

    def open(self, path: str) -> Page:
        self.page.goto(path)
        self.synced()
        return self.page

    def open_bell(self) -> Locator:
        self.page.locator("#bell-button").click()
        expect(self.page.locator("#bell-menu")).to_be_visible()
        return self.page.locator("#bell-list")

    def inert(self) -> None:
        """Nothing injected (now or at any moment since the page loaded), nothing ran, no
        dialog: checked after each page's text."""
        assert self.page.evaluate("() => window.__injected") == []
        assert self.page.locator(INJECTED).count() == 0
        assert self.page.evaluate("() => window.__xss") is None
        assert self.dialogs == []


def exactly(text: str) -> re.Pattern[str]:
    return re.compile(f"^{re.escape(text)}$")


def shows(tally: Counter[str], page: str, field: str, locator: Locator, text: str) -> None:
    """`locator` shows `text` literally (an input: as its value); counted per page and field."""
    if locator.evaluate("element => element.tagName") in ("INPUT", "TEXTAREA"):
        expect(locator).to_have_value(text)
    else:
        expect(locator).to_contain_text(text)
    tally[f"{page} {field}"] += 1


def records_shown(admin: Visitor, label: str, records: list[int], payloads, tally) -> None:
    """Each record in the picker, then chosen: both names in their inputs."""
    page = admin.page
    for record, payload in zip(records, payloads, strict=True):
        option = page.locator(f"#picker option[value='{record}']")
        shows(tally, label, "first and last name (picker)", option, payload)
        page.locator("#picker").select_option(str(record))
        shows(tally, label, "first name", page.locator("#first_name"), payload)
        shows(tally, label, "last name", page.locator("#last_name"), payload)
    admin.inert()


def items_shown(visitor: Visitor, item: str, ids: list[int], payloads, fields, tally) -> None:
    """Each item (the selector `item` with its id) shows its payload in every one of
    `fields` (name: selector inside the item)."""
    path = urlparse(visitor.page.url).path
    for id_, payload in zip(ids, payloads, strict=True):
        element = visitor.page.locator(item.format(id_))
        for field, selector in fields.items():
            shows(tally, path, field, element.locator(selector), payload)
    visitor.inert()


CONVERSATION_ROW = ".conversation-row[data-conversation='{}']"
CONVERSATION_FIELDS = {"listing title": "strong", "message body (preview)": ".preview"}
LISTING_CARD = "[data-listing-id='{}']"
LISTING_FIELDS = {
    "listing title": "[data-field=title]",
    "listing description": "[data-field=description]",
}


def bell_shown(visitor: Visitor, field: str, texts: list[str], tally) -> None:
    """The bell's newest notifications hold each of `texts`, made from `field`."""
    bell = visitor.open_bell()
    for text in texts:
        shows(tally, "bell", field, bell, text)
    visitor.inert()


def room_shown(buyer: Visitor, title: str, payloads, tally) -> None:
    """A room's listing card and a message per payload."""
    page = buyer.page
    shows(tally, "/chat/<id>/", "listing title", page.locator("#listing-title"), title)
    for payload in payloads:
        body = page.locator("#history .chat-body").filter(has_text=exactly(payload))
        shows(tally, "/chat/<id>/", "message body", body, payload)
    buyer.inert()


def offers_shown(seller: Visitor, payloads, tally) -> None:
    """The seller's notifications page and bell: each offer names the listing's title."""
    for payload in payloads:
        text = f"offered €40 for {payload}."
        shows(tally, "/notifications/", "listing title (offer)", seller.page.locator("#list"), text)
    texts = [f"offered €40 for {payload}." for payload in payloads]
    bell_shown(seller, "listing title (offer notification)", texts, tally)


def boards_shown(owner: Visitor, businesses: list[int], payloads, tally, *, named=True) -> None:
    """The owner's boards: business name (if `named`), and a reservation's customer, e-mail
    and service."""
    page = owner.page
    for business, payload in zip(businesses, payloads, strict=True):
        board = page.locator(f"[data-business-id='{business}']")
        if named:
            name = board.locator("[data-field=name]").first
            shows(tally, "/business/", "business name", name, payload)
        row = board.locator(".reservation-row").filter(has_text=payload).first
        for field in ("customer_name", "service"):
            shows(tally, "/business/", field, row.locator(f"[data-field={field}]"), payload)
        email = row.locator("[data-field=customer_email]")
        shows(tally, "/business/", "customer_email", email, EMAIL_PAYLOAD)
    owner.inert()


def reservation_notices_shown(owner: Visitor, names, payloads, tally) -> None:
    """The owner's bell: "New reservation at '<business>': <customer>, <service> on …"."""
    pairs = zip(names, payloads, strict=True)
    texts = [f"'{name}': {payload}, {payload}" for name, payload in pairs]
    bell_shown(owner, "business name, customer name, service (reservation)", texts, tally)


def dashboard_shown(admin: Visitor, businesses: list[int], payloads, tally) -> None:
    """The super admin's dashboard: newest businesses and the activity feed."""
    page = admin.page
    feed = page.locator("#feed")
    for business, payload in zip(businesses, payloads, strict=True):
        recent = page.locator(f"#recent-businesses [data-business-id='{business}'] .recent-name")
        shows(tally, "/dashboard/", "business name (newest)", recent, payload)
        shows(tally, "/dashboard/", "business name (feed)", feed, f"New business '{payload}'")
        reservation = f"'{payload}': {payload}, {payload}"
        shows(tally, "/dashboard/", "customer name, service (feed)", feed, reservation)
    admin.inert()


def test_stored_payloads_render_as_text_on_every_page(person, stored, e2e_figures):
    """Every page that shows a user's text, loaded after it was stored: the text is shown
    literally, and nothing is injected, runs or opens a dialog (CSP bypassed)."""
    tally: Counter[str] = Counter()
    admin = Visitor(person, "admin")
    for window in ("/window1/", "/window2/"):
        admin.open(window)
        records_shown(admin, window, stored.records, PAYLOADS, tally)
    admin.open("/dashboard/")
    dashboard_shown(admin, stored.businesses, PAYLOADS, tally)
    buyer = Visitor(person, "buyer")
    buyer.open("/chat/")
    items_shown(buyer, CONVERSATION_ROW, stored.conversations, PAYLOADS, CONVERSATION_FIELDS, tally)
    texts = [f"New message from seller: {payload}" for payload in PAYLOADS]
    bell_shown(buyer, "message body (notification)", texts, tally)
    for conversation, payload in zip(stored.conversations, PAYLOADS, strict=True):
        buyer.open(f"/chat/{conversation}/")
        room_shown(buyer, payload, [payload], tally)
    seller = Visitor(person, "seller")
    seller.open("/listings/")
    items_shown(seller, LISTING_CARD, stored.listings, PAYLOADS, LISTING_FIELDS, tally)
    seller.open("/notifications/")
    offers_shown(seller, PAYLOADS, tally)
    owner = Visitor(person, "owner")
    owner.open("/business/")
    boards_shown(owner, stored.businesses, PAYLOADS, tally)
    reservation_notices_shown(owner, PAYLOADS, PAYLOADS, tally)
    e2e_figures["stored XSS, on load: payload renderings checked"] += sum(tally.values())
    e2e_figures["stored XSS, on load: page and field pairs"] += len(tally)


# Told apart from the stored ones, which the same pages show already.
LIVE = tuple(f"{payload} (live)" for payload in PAYLOADS)


def test_payloads_arriving_over_the_socket_render_as_text(
    person, stored, module_server, e2e_figures
):
    """The same strings arriving over the socket while the pages are open: new records,
    listings, conversations, messages, offers, businesses and reservations and their
    notifications, a listing and a business renamed, the list's toast for a price cut.
    Each shown literally; nothing injected, run or opened (CSP bypassed)."""
    tally: Counter[str] = Counter()
    pages = {
        "/window1/": Visitor(person, "admin"),
        "/dashboard/": Visitor(person, "admin"),
        "/chat/": Visitor(person, "buyer"),
        f"/chat/{stored.conversations[0]}/": Visitor(person, "buyer"),
        "/listings/": Visitor(person, "buyer"),
        "/notifications/": Visitor(person, "seller"),
        "/business/": Visitor(person, "owner"),
    }
    for path, visitor in pages.items():
        visitor.open(path)
    live = store_all(module_server, LIVE, tag="live")
    seller, admin = api_as(module_server, "seller"), api_as(module_server, "admin")
    with closing(seller), closing(admin):
        for n, payload in enumerate(LIVE):
            sent = seller.post(
                f"/api/conversations/{stored.conversations[0]}/messages/",
                json={"body": payload, "client_id": f"xss-room-{n}"},
            )
            created(sent)
            booked = reservation(stored.businesses[0], payload, n)
            created(admin.post("/api/reservations/", json=booked))
        # A price cut writes a line in the conversation, which the list toasts with the
        # title for a few seconds: each read at once.
        toasts = pages["/chat/"].page.locator("#toasts")
        for listing, payload in zip(stored.listings[1:], PAYLOADS[1:], strict=True):
            created(seller.patch(f"/api/listings/{listing}/", json={"price": "45"}))
            shows(tally, "/chat/", "listing title (toast)", toasts, f"{payload}: Price lowered")
        # Renamed while shown: the room's card and the owner's board follow.
        room, board = pages[f"/chat/{stored.conversations[0]}/"], pages["/business/"]
        title = room.page.locator("#listing-title")
        name = board.page.locator(f"[data-business-id='{stored.businesses[0]}'] [data-field=name]")
        for payload in LIVE:
            created(seller.patch(f"/api/listings/{stored.listings[0]}/", json={"title": payload}))
            shows(tally, "/chat/<id>/", "listing title (renamed)", title, payload)
            created(admin.patch(f"/api/businesses/{stored.businesses[0]}/", json={"name": payload}))
            shows(tally, "/business/", "business name (renamed)", name, payload)

    records_shown(pages["/window1/"], "/window1/", live.records, LIVE, tally)
    dashboard_shown(pages["/dashboard/"], live.businesses, LIVE, tally)
    chat_list = pages["/chat/"]
    items_shown(chat_list, CONVERSATION_ROW, live.conversations, LIVE, CONVERSATION_FIELDS, tally)
    # The newest ten: the room's messages, which came last (their bodies are the same).
    texts = [f"New message from seller: {payload}" for payload in LIVE]
    bell_shown(chat_list, "message body (notification)", texts, tally)
    room_shown(room, LIVE[-1], LIVE, tally)
    items_shown(pages["/listings/"], LISTING_CARD, live.listings, LIVE, LISTING_FIELDS, tally)
    offers_shown(pages["/notifications/"], LIVE, tally)
    boards_shown(board, [stored.businesses[0]] * len(LIVE), LIVE, tally, named=False)
    # The newest ten: the reservations at the business shown, booked before its renames.
    reservation_notices_shown(board, [PAYLOADS[0]] * len(LIVE), LIVE, tally)
    e2e_figures["stored XSS, live: payload renderings checked"] += sum(tally.values())
    e2e_figures["stored XSS, live: page and field pairs"] += len(tally)


def test_sign_up_refuses_each_payload_as_a_username_and_shows_it_back_as_text(
    new_page, e2e_figures
):
    """A username cannot carry any of the strings (letters, digits and @.+-_ only), so none
    reaches a page as a name; the refused form shows the value back as text, inertly."""
    _, page = new_page("stranger", bypass_csp=True)
    page.context.add_init_script(WATCH_INJECTIONS)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for payload in PAYLOADS:
        page.goto("/accounts/signup/")
        page.locator("#id_username").fill(payload)
        page.locator("#id_email").fill(EMAIL_PAYLOAD)
        page.locator("#id_password1").fill("xss-e2e-pass-1")
        page.locator("#id_password2").fill("xss-e2e-pass-1")
        page.get_by_role("button", name="Create account").click()
        expect(page.locator("#id_username + .invalid-feedback")).to_contain_text(
            "letters, numbers, and @/./+/-/_"
        )
        expect(page.locator("#id_username")).to_have_value(payload)
        expect(page.locator("#id_email")).to_have_value(EMAIL_PAYLOAD)
        assert page.url.endswith("/accounts/signup/")
        assert page.evaluate("() => window.__injected") == []
        assert page.locator(INJECTED).count() == 0
        assert page.evaluate("() => window.__xss") is None
    assert dialogs == []
    e2e_figures["stored XSS: usernames refused at sign-up"] += len(PAYLOADS)
