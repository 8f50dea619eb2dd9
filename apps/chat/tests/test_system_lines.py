"""System lines: a listing reserved, sold or repriced is told in every conversation about it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from apps.chat import selectors
from apps.chat.models import Conversation, Message
from apps.chat.services import conversation_open
from apps.chat.system_lines import euros, system_line_post
from apps.chat.topics import conversation_topic, inbox_topic
from apps.listings.services import listing_update
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversations(listing, buyer, stranger):
    """Two buyers' conversations about the listing."""
    return [conversation_open(listing_id=listing.pk, buyer=b)[0] for b in (buyer, stranger)]


def lines_since(conversations, since):
    return {
        c.pk: [
            e["message"]["body"]
            for e in events_after(conversation_topic(c.pk), since[c.pk])
            if e["type"] == "message"
        ]
        for c in conversations
    }


def offsets(conversations):
    return {c.pk: stream_offset(topic=conversation_topic(c.pk)) for c in conversations}


@pytest.mark.parametrize(
    ("changes", "buyer_id", "expected"),
    [
        ({"status": "reserved"}, None, ["Reserved", "Reserved"]),
        ({"status": "reserved"}, "buyer", ["Reserved for buyer", "Reserved for another buyer"]),
        ({"status": "sold"}, "buyer", ["Sold to buyer", "Sold to another buyer"]),
        ({"status": "sold"}, None, ["Sold", "Sold"]),
        ({"price": Decimal("80")}, None, ["Price lowered to €80"] * 2),
        ({"price": Decimal("495.50")}, None, ["Price raised to €495.50"] * 2),
        ({"title": "Old laptop"}, None, [[], []]),
    ],
)
def test_every_conversation_about_the_listing_gets_the_line(
    listing, buyer, conversations, changes, buyer_id, expected
):
    since = offsets(conversations)
    listing_update(
        listing_id=listing.pk, changes=changes, buyer_id=buyer.pk if buyer_id == "buyer" else None
    )
    got = lines_since(conversations, since)
    want = [line if isinstance(line, list) else [line] for line in expected]
    assert [got[c.pk] for c in conversations] == want


def test_status_and_price_together_give_two_lines_and_available_again_one(listing, conversations):
    since = offsets(conversations)
    listing_update(listing_id=listing.pk, changes={"status": "reserved", "price": "400"})
    listing_update(listing_id=listing.pk, changes={"status": "available"})
    assert lines_since(conversations, since)[conversations[0].pk] == [
        "Reserved",
        "Price lowered to €400",
        "Available again",
    ]


def test_a_system_line_is_a_stored_message_without_sender_unread_for_both(
    conversation, buyer, seller
):
    rows = {u.pk: stream_offset(topic=inbox_topic(u.pk)) for u in (buyer, seller)}
    line = system_line_post(conversation_id=conversation.pk, body="Sold")
    stored = Message.objects.get(pk=line.pk)
    assert (stored.kind, stored.sender_id, stored.body) == ("system", None, "Sold")
    [event] = events_after(conversation_topic(conversation.pk))
    assert event["message"]["kind"] == "system" and event["message"]["sender"] is None
    for user in (buyer, seller):  # both lists move it up, with the line as its preview
        [row] = events_after(inbox_topic(user.pk), rows[user.pk])
        assert row["conversation"]["last_message"]["body"] == "Sold"
        assert row["conversation"]["unread_count"] == 1
        assert (
            selectors.unread_count(conversation_id=conversation.pk, user_id=user.pk, read_up_to=0)
            == 1
        )
    assert Conversation.objects.get(pk=conversation.pk).last_message_id == line.pk
    # History and catch-up have it like any message.
    [page], _ = selectors.message_page(conversation_id=conversation.pk)
    assert page.pk == line.pk


def test_the_database_keeps_system_lines_senderless_and_text_with_a_sender(conversation, buyer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            conversation=conversation, sender=buyer, kind="system", body="x", client_id="a"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(conversation=conversation, sender=None, body="x", client_id="b")


def test_a_failing_line_undoes_the_listing_update(listing, conversations, monkeypatch):
    from apps.chat import system_lines

    def broken(**kwargs):
        raise RuntimeError("no")

    monkeypatch.setattr(system_lines, "system_line_post", broken)
    with pytest.raises(RuntimeError):
        listing_update(listing_id=listing.pk, changes={"status": "sold"})
    listing.refresh_from_db()
    assert listing.status == "available"  # one transaction: the change and its lines


def test_euros_shows_cents_only_when_there_are_some():
    assert (euros(Decimal("80.00")), euros(Decimal("80.5")), euros(Decimal("0.99"))) == (
        "€80",
        "€80.50",
        "€0.99",
    )


def test_a_missed_message_email_shows_a_system_line_as_tidewires(clock, conversation, buyer):
    from datetime import timedelta

    from django.core import mail

    from apps.chat.services import message_send
    from apps.mailing.services import emails_send_due

    buyer.email = "buyer@example.com"
    buyer.save()
    seller = conversation.seller
    seller.email = "seller@example.com"
    seller.save()
    message, _ = message_send(
        conversation_id=conversation.pk, sender=buyer, body="Still there?", client_id="m1"
    )
    system_line_post(conversation_id=conversation.pk, body="Sold")  # schedules no email itself
    emails_send_due(now=message.created_at + timedelta(seconds=300))
    [email] = mail.outbox
    assert "Still there?" in email.body
    assert "\nTidewire, " in email.body and "\nSold\n" in email.body
