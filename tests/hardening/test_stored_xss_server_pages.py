"""Stored XSS where the server renders the text itself: the emails and the Django admin.

tests/e2e/test_e2e_stored_xss.py tries every page a person opens, in Chromium.
Two more places show what users typed and are rendered by Django templates on
the server, never by the pages' scripts: the emails (a missed chat message, a
reservation to its customer and its owner) and the admin's lists and forms
(records, listings, businesses, reservations, reported messages, the audit
log). The same hostile strings are stored through the services; every HTML
part of every email and every admin page must carry them escaped, never as
markup. (The plain-text parts and the subjects are text: shown as written.)
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail

from apps.bookings.services import business_create, reservation_create
from apps.chat import services as chat
from apps.listings.services import listing_create
from apps.mailing.services import emails_send_due
from apps.moderation.services import report_create
from apps.records.services import user_record_create

pytestmark = pytest.mark.django_db

SCRIPT = "<script>window.__xss=1</script>"
IMAGE = '<img src=x onerror="window.__xss=1">'
SVG = '"><svg onload="window.__xss=1">'
PAYLOADS = (SCRIPT, IMAGE, SVG)
# What must never reach an HTML page or part as markup.
MARKUP = (b"<script>window.__xss", b"<img src=x", b"<svg onload")


def assert_escaped(content: bytes, where: str, *, expected: tuple[str, ...] = PAYLOADS) -> None:
    for markup in MARKUP:
        assert markup not in content, f"{where}: {markup!r} rendered as markup"
    shown = [p for p in expected if html.escape(p).encode() in content]
    assert shown, f"{where}: none of the payloads is shown (escaped) at all"


@pytest.fixture
def stored(clock):
    """Each payload in every text field the emails and the admin show, through the services."""
    seller = User.objects.create_user("xss-seller", password="x-pass-1", email="s@example.com")
    buyer = User.objects.create_user("xss-buyer", password="x-pass-1", email="b@example.com")
    owner = User.objects.create_user("xss-owner", password="x-pass-1", email="o@example.com")
    made = {"records": [], "listings": [], "businesses": [], "reservations": [], "reports": []}
    starts = datetime(2036, 11, 24, 9, 0, tzinfo=UTC)  # ahead: customers hear of it
    for n, payload in enumerate(PAYLOADS):
        made["records"].append(user_record_create(first_name=payload, last_name=payload))
        listing = listing_create(
            seller=seller, title=payload, description=payload, price=Decimal("5")
        )
        made["listings"].append(listing)
        conversation, _ = chat.conversation_open(listing_id=listing.pk, buyer=buyer)
        message, _ = chat.message_send(
            conversation_id=conversation.pk, sender=seller, body=payload, client_id=f"x{n}"
        )
        report, _ = report_create(
            reporter=buyer, conversation_id=conversation.pk, message_id=message.pk, reason=payload
        )
        made["reports"].append(report)
        business = business_create(name=payload, subdomain=f"xss{n}", owner=owner)
        made["businesses"].append(business)
        made["reservations"].append(
            reservation_create(
                business_id=business.pk,
                customer_name=payload,
                customer_email=f"customer{n}@example.com",
                service=payload,
                starts_at=starts + timedelta(hours=n),
            )
        )
    return made


def test_every_email_carries_the_payloads_escaped_in_its_html(stored, clock):
    """The buyer's missed-message email (three unread bodies, three listing titles), each
    customer's confirmation and the owner's reservations email."""
    clock.advance(3600)  # past the missed-message delay; the reservation emails are due
    for _ in range(10):  # the send job, a minute apart, until nothing is left due
        emails_send_due(now=clock.now())
        clock.advance(60)
    sent = {email.to[0]: email for email in mail.outbox}
    assert {"b@example.com", "o@example.com", "customer0@example.com"} <= set(sent)
    for address, email in sent.items():
        [(body, kind)] = email.alternatives
        assert kind == "text/html"
        assert_escaped(body.encode(), f"email to {address}")
    assert SCRIPT in sent["b@example.com"].body  # the text part shows it as written


ADMIN_PAGES = {
    "records": "/admin/records/userrecord/",
    "listings": "/admin/listings/listing/",
    "businesses": "/admin/bookings/business/",
    "reservations": "/admin/bookings/reservation/",
    "reports": "/admin/moderation/report/",
}


def test_every_admin_list_and_form_shows_the_payloads_escaped(stored, client):
    admin = User.objects.create_superuser("xss-admin", password="x-pass-1")
    client.force_login(admin)
    pages = 0
    for kind, changelist in ADMIN_PAGES.items():
        response = client.get(changelist)
        assert response.status_code == 200, changelist
        assert_escaped(response.content, changelist)
        for obj in stored[kind]:
            page = f"{changelist}{obj.pk}/change/"
            response = client.get(page)
            assert response.status_code == 200, page
            assert_escaped(response.content, page)
            pages += 1
    audit = client.get("/admin/audit/auditentry/")
    assert audit.status_code == 200
    for markup in MARKUP:
        assert markup not in audit.content
    assert pages == len(PAYLOADS) * len(ADMIN_PAGES)
