"""The chat's writes: one conversation per listing and buyer, idempotent sends, markers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.chat import services
from apps.chat.models import Conversation, Message, Participant
from apps.chat.topics import conversation_topic, inbox_topic
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


def send(conversation, user, body, client_id):
    return services.message_send(
        conversation_id=conversation.pk, sender=user, body=body, client_id=client_id
    )


def test_opening_twice_gives_the_one_conversation(listing, buyer, seller):
    first, created = services.conversation_open(listing_id=listing.pk, buyer=buyer)
    again, created_again = services.conversation_open(listing_id=listing.pk, buyer=buyer)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Conversation.objects.count() == 1
    assert set(Participant.objects.values_list("user_id", flat=True)) == {buyer.pk, seller.pk}
    # Both lists learn of it.
    [row] = events_after(inbox_topic(seller.pk))
    assert row["conversation"]["other"] == {"id": buyer.pk, "username": "buyer"}
    assert row["conversation"]["last_message"] is None


def test_a_seller_cannot_contact_themself(listing, seller):
    with pytest.raises(services.ChatError) as refused:
        services.conversation_open(listing_id=listing.pk, buyer=seller)
    assert refused.value.field == "listing"
    assert not Conversation.objects.exists()


def test_a_message_is_stored_and_announced_to_the_room_and_both_lists(conversation, buyer, seller):
    room = stream_offset(topic=conversation_topic(conversation.pk))
    lists = {u.pk: stream_offset(topic=inbox_topic(u.pk)) for u in (buyer, seller)}
    message, created = send(conversation, buyer, "  Hello! Is it available?  ", "c-1")
    assert created and message.body == "Hello! Is it available?"
    [event] = events_after(conversation_topic(conversation.pk), room)
    assert event["message"] == {
        "id": message.pk,
        "conversation": conversation.pk,
        "sender": buyer.pk,
        "kind": "text",
        "body": "Hello! Is it available?",
        "client_id": "c-1",
        "created_at": event["message"]["created_at"],
        "status": "sent",
        "edited_at": None,
        "deleted": False,
        "images": [],
    }
    [to_seller] = events_after(inbox_topic(seller.pk), lists[seller.pk])
    [to_buyer] = events_after(inbox_topic(buyer.pk), lists[buyer.pk])
    assert to_seller["conversation"]["unread_count"] == 1
    assert to_buyer["conversation"]["unread_count"] == 0
    assert to_seller["conversation"]["last_message"]["id"] == message.pk
    conversation.refresh_from_db()
    assert conversation.last_message_id == message.pk


def test_a_retried_send_returns_the_stored_message_and_announces_nothing(conversation, buyer):
    first, _ = send(conversation, buyer, "Hello", "retry-me")
    offset = stream_offset(topic=conversation_topic(conversation.pk))
    again, created = send(conversation, buyer, "Hello", "retry-me")
    assert (again.pk, created) == (first.pk, False)
    assert Message.objects.count() == 1
    assert events_after(conversation_topic(conversation.pk), offset) == []


def test_a_client_id_reused_for_another_message_is_refused(conversation, buyer):
    send(conversation, buyer, "Hello", "same")
    with pytest.raises(services.ClientIdReused):
        send(conversation, buyer, "Something else", "same")
    assert Message.objects.count() == 1


def test_the_database_refuses_a_second_message_with_the_same_client_id(conversation, buyer):
    send(conversation, buyer, "Hello", "unique")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            conversation=conversation, sender=buyer, body="x", client_id="unique"
        )


def test_two_senders_may_use_the_same_client_id(conversation, buyer, seller):
    send(conversation, buyer, "Hi", "1")
    send(conversation, seller, "Hi yourself", "1")
    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ("   ", "body", "blank"),
        ("", "body", "blank"),
        ("x" * 5001, "body", "5,000"),
        (5, "body", "string"),
        (None, "body", "string"),
        ("bad\x00char", "body", ""),
    ],
)
def test_a_bad_body_is_refused_naming_body(conversation, buyer, body, field, text):
    with pytest.raises(services.ChatError) as refused:
        send(conversation, buyer, body, "c")
    assert refused.value.field == field and text in refused.value.message
    assert not Message.objects.exists()


def test_a_body_of_exactly_5000_characters_after_trimming_is_kept_whole(conversation, buyer):
    message, _ = send(conversation, buyer, "  " + "é" * 5000 + "\n", "long")
    assert message.body == "é" * 5000


@pytest.mark.parametrize("client_id", ["", "x" * 65, "has space", 7, None, "<script>"])
def test_a_bad_client_id_is_refused(conversation, buyer, client_id):
    with pytest.raises(services.ChatError) as refused:
        send(conversation, buyer, "Hi", client_id)
    assert refused.value.field == "client_id"


def test_a_stranger_cannot_send(conversation, stranger):
    with pytest.raises(Conversation.DoesNotExist):
        send(conversation, stranger, "Hi", "c")
    assert not Message.objects.exists()


def test_markers_move_forward_only_and_never_past_the_newest_message(conversation, buyer, seller):
    first, _ = send(conversation, buyer, "one", "1")
    second, _ = send(conversation, buyer, "two", "2")
    offset = stream_offset(topic=conversation_topic(conversation.pk))
    participant, moved = services.conversation_mark(
        conversation_id=conversation.pk, user_id=seller.pk, up_to=first.pk, read=False
    )
    assert moved and (participant.delivered_up_to, participant.read_up_to) == (first.pk, 0)
    participant, moved = services.conversation_mark(
        conversation_id=conversation.pk, user_id=seller.pk, up_to=10**12, read=True
    )
    assert (participant.delivered_up_to, participant.read_up_to) == (second.pk, second.pk)
    participant, moved = services.conversation_mark(
        conversation_id=conversation.pk, user_id=seller.pk, up_to=first.pk, read=True
    )
    assert not moved and participant.read_up_to == second.pk
    receipts = [e for e in events_after(conversation_topic(conversation.pk), offset)]
    assert [(r["delivered_up_to"], r["read_up_to"]) for r in receipts] == [
        (first.pk, 0),
        (second.pk, second.pk),
    ]
    # A message sent later is unread, whatever marker was asked for before.
    third, _ = send(conversation, buyer, "three", "3")
    [row] = events_after(inbox_topic(seller.pk), stream_offset(topic=inbox_topic(seller.pk)) - 1)
    assert row["conversation"]["unread_count"] == 1
    assert third.pk > second.pk


def test_reading_updates_the_readers_list_and_the_senders_tick(conversation, buyer, seller):
    message, _ = send(conversation, buyer, "one", "1")
    offsets = {u.pk: stream_offset(topic=inbox_topic(u.pk)) for u in (buyer, seller)}
    services.conversation_mark(
        conversation_id=conversation.pk, user_id=seller.pk, up_to=message.pk, read=True
    )
    [seller_row] = events_after(inbox_topic(seller.pk), offsets[seller.pk])
    [buyer_row] = events_after(inbox_topic(buyer.pk), offsets[buyer.pk])
    assert seller_row["conversation"]["unread_count"] == 0
    assert buyer_row["conversation"]["last_message"]["status"] == "read"


def test_a_stranger_has_no_markers(conversation, stranger):
    with pytest.raises(Participant.DoesNotExist):
        services.conversation_mark(
            conversation_id=conversation.pk, user_id=stranger.pk, up_to=1, read=True
        )


def test_a_send_costs_a_bounded_number_of_queries(conversation, buyer):
    send(conversation, buyer, "warm up", "w")
    with CaptureQueriesContext(connection) as queries:
        send(conversation, buyer, "Hello", "q")
    # client_id lookup; savepoint; lock, with the block check; insert (its photos: none,
    # known without a read); markers with both unread counts (neither side archived: no
    # unarchive); update; the notification: preference, insert, unread count; the
    # room's event, both inbox rows and the notification's event, together (2); the
    # pending email: savepoint, two reads (kept as it is, due earlier), release; release.
    assert len(queries) == 16, [q["sql"] for q in queries]


def test_a_batch_of_sends_is_each_send_alone_in_one_transaction(conversation, buyer, seller):
    """messages_send: each result as message_send gives it alone, in order: new messages,
    a retry of a stored one, the same client_id twice in the batch (one message), a
    client_id reused for another body, a blank body, a stranger."""
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user("stranger-batch")
    stored, _ = send(conversation, buyer, "Earlier", "b0")
    results = services.messages_send(
        [
            (conversation.pk, buyer, "One", "b1"),
            (conversation.pk, seller, "Two", "s1"),
            (conversation.pk, buyer, "Earlier", "b0"),  # a retry: the stored message
            (conversation.pk, buyer, "One", "b1"),  # the same send twice in the batch
            (conversation.pk, buyer, "Other body", "b0"),  # client_id reused
            (conversation.pk, buyer, "   ", "b2"),  # blank
            (conversation.pk, stranger, "Hi", "x1"),  # not a participant
        ]
    )
    one, two = results[0][0], results[1][0]
    assert (results[0][1], results[1][1]) == (True, True)
    assert (one.body, two.body) == ("One", "Two") and one.pk < two.pk
    assert results[2] == (stored, False)
    assert results[3] == (one, False)
    assert isinstance(results[4], services.ClientIdReused)
    assert isinstance(results[5], services.ChatError) and results[5].field == "body"
    assert isinstance(results[6], Conversation.DoesNotExist)
    assert list(conversation.messages.order_by("id").values_list("body", flat=True)) == [
        "Earlier",
        "One",
        "Two",
    ]
    conversation.refresh_from_db()
    assert conversation.last_message_id == two.pk
    room = events_after(conversation_topic(conversation.pk), 0)
    assert [e["message"]["body"] for e in room if e["type"] == "message"] == [
        "Earlier",
        "One",
        "Two",
    ]
    buyer_row = events_after(inbox_topic(buyer.pk), 0)[-1]["conversation"]
    assert buyer_row["unread_count"] == 1  # the seller's "Two"
    assert buyer_row["last_message"]["body"] == "Two"


def test_a_batch_costs_the_statements_of_one_send(conversation, buyer, seller, listing):
    """Ten messages in ten conversations cost what one message costs, plus the
    recipients' pending emails (one schedule each)."""
    conversations = [conversation]
    for n in range(9):
        other = type(buyer).objects.create_user(f"batch-buyer-{n}", email=f"b{n}@example.com")
        conversations.append(services.conversation_open(listing_id=listing.pk, buyer=other)[0])
    for c in conversations:  # warm up: every recipient has a pending email already
        services.messages_send([(c.pk, c.buyer, "warm up", f"w{c.pk}")])
    with CaptureQueriesContext(connection) as one:
        services.messages_send([(conversation.pk, buyer, "Hello", "q")])
    with CaptureQueriesContext(connection) as ten:
        services.messages_send([(c.pk, c.buyer, "Hello", f"q{c.pk}") for c in conversations[1:]])
    emails = 4  # savepoint, two reads, release: for each recipient after the first
    assert len(ten) <= len(one) + 8 * emails, [q["sql"] for q in ten]


def test_a_blocked_send_in_a_batch_refuses_only_that_one(conversation, buyer, seller, listing):
    from apps.moderation.services import block_create

    other = type(buyer).objects.create_user("batch-other")
    second, _ = services.conversation_open(listing_id=listing.pk, buyer=other)
    block_create(blocker=seller, blocked_id=other.pk)
    results = services.messages_send(
        [(second.pk, other, "Let me in", "o1"), (conversation.pk, buyer, "Fine", "b1")]
    )
    assert isinstance(results[0], services.Blocked)
    assert "you were blocked" in results[0].message
    assert results[1][0].body == "Fine"
    assert not second.messages.exists()
