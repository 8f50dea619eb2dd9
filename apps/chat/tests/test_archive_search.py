"""Archive a conversation (a new message brings it back) and search the list (issue 14 item 6)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection

from apps.chat import archive as archive_service
from apps.chat import edits, selectors, services
from apps.chat.topics import inbox_topic
from apps.listings.services import listing_create
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


def send(conversation, user, body, client_id):
    message, _ = services.message_send(
        conversation_id=conversation.pk, sender=user, body=body, client_id=client_id
    )
    return message


def archive(conversation, user, archived=True):
    return archive_service.conversation_archive(
        conversation_id=conversation.pk, user_id=user.pk, archived=archived
    )


def listed(user, **filters):
    rows = selectors.conversation_rows(user_id=user.pk, **filters)
    return [row.conversation_id for row in rows]


def test_archiving_is_per_person_and_announced_to_their_list_only(conversation, buyer, seller):
    buyer_list = stream_offset(topic=inbox_topic(buyer.pk))
    seller_list = stream_offset(topic=inbox_topic(seller.pk))
    archive(conversation, buyer)
    [row] = events_after(inbox_topic(buyer.pk), buyer_list)
    assert row["conversation"]["archived"] is True
    assert events_after(inbox_topic(seller.pk), seller_list) == []
    assert listed(buyer, archived=True) == [conversation.pk]
    assert listed(buyer, archived=False) == []
    assert listed(seller, archived=False) == [conversation.pk]
    # Again: nothing changes, nothing is announced.
    archive(conversation, buyer)
    assert len(events_after(inbox_topic(buyer.pk), buyer_list)) == 1


def test_a_new_message_brings_it_back(conversation, buyer, seller):
    archive(conversation, buyer)
    buyer_list = stream_offset(topic=inbox_topic(buyer.pk))
    send(conversation, seller, "Still interested?", "c-1")
    [row] = events_after(inbox_topic(buyer.pk), buyer_list)
    assert row["conversation"]["archived"] is False
    assert listed(buyer, archived=False) == [conversation.pk]


def test_a_batch_brings_back_only_its_archived_conversations(conversation, buyer, seller):
    other_buyer = User.objects.create_user("batch-archive-buyer")
    second, _ = services.conversation_open(listing_id=conversation.listing_id, buyer=other_buyer)
    archive(conversation, buyer)
    archive(conversation, seller)
    archive(second, seller)
    services.messages_send([(conversation.pk, buyer, "Hello again", "b-1")])
    assert listed(buyer, archived=True) == [] and listed(seller, archived=True) == [second.pk]
    services.messages_send([(second.pk, other_buyer, "Me too", "o-1")])
    assert listed(seller, archived=True) == []


def test_unarchive(conversation, buyer):
    archive(conversation, buyer)
    archive(conversation, buyer, archived=False)
    assert listed(buyer, archived=True) == []


def test_a_stranger_cannot_archive(conversation, stranger):
    from apps.chat.models import Participant

    with pytest.raises(Participant.DoesNotExist):
        archive(conversation, stranger)


def test_archive_api(client_for, conversation, buyer, stranger):
    url = f"/api/conversations/{conversation.pk}/archive/"
    archived = client_for(buyer).post(url)
    assert archived.status_code == 200 and archived.json()["archived"] is True
    rows = client_for(buyer).get("/api/conversations/?archived=true").json()
    assert [r["id"] for r in rows] == [conversation.pk]
    assert client_for(buyer).get("/api/conversations/?archived=false").json() == []
    assert len(client_for(buyer).get("/api/conversations/").json()) == 1  # all, each marked
    assert client_for(buyer).get("/api/conversations/?archived=maybe").status_code == 400
    assert client_for(buyer).delete(url).json()["archived"] is False
    assert client_for(stranger).post(url).status_code == 404


@pytest.fixture
def second(seller):
    """A second conversation of the seller: a bike, with another buyer."""
    other_buyer = User.objects.create_user("cyclist", password="cyclist-pass-1")
    bike = listing_create(seller=seller, title="Road bike, carbon", price=Decimal("900"))
    conversation, _ = services.conversation_open(listing_id=bike.pk, buyer=other_buyer)
    return conversation, other_buyer


def test_search_by_title_counterpart_and_message_text(conversation, second, buyer, seller):
    bike, cyclist = second
    send(conversation, buyer, "Is the keyboard layout German?", "c-1")
    send(conversation, seller, "Yes it is", "c-2")  # the last message: the match is older
    send(bike, cyclist, "Does it come with pedals?", "c-3")
    assert listed(seller, search="laptop") == [conversation.pk]
    assert listed(seller, search="cyclist") == [bike.pk]
    assert listed(seller, search="keyboard") == [conversation.pk]
    assert listed(seller, search="pedals") == [bike.pk]
    assert listed(seller, search="nothing like this") == []
    # A person's search sees their own conversations only.
    assert listed(buyer, search="pedals") == []
    # And the counterpart is the other person, not oneself.
    assert listed(buyer, search="buyer") == []


def test_a_deleted_message_is_not_found(conversation, buyer):
    message = send(conversation, buyer, "My number is 0612345678", "c-1")
    edits.message_delete(conversation_id=conversation.pk, message_id=message.pk, user=buyer)
    assert listed(buyer, search="0612345678") == []


def test_search_words_are_prefixes_in_any_order_on_postgresql(conversation, buyer):
    send(conversation, buyer, "Is there a scratch on the lid?", "c-1")
    if connection.vendor == "postgresql":
        # Full-text: every word, as a prefix, anywhere in the text.
        assert listed(buyer, search="lid scratch") == [conversation.pk]
        assert listed(buyer, search="scrat") == [conversation.pk]
        assert listed(buyer, search="laptop sale") == [conversation.pk]  # "Laptop for Sale"
        assert listed(buyer, search="lid bicycle") == []
    else:
        # SQLite: the text as typed, contained.
        assert listed(buyer, search="scratch on the") == [conversation.pk]
        assert listed(buyer, search="lid scratch") == []


def test_search_with_only_punctuation_does_not_break(conversation, buyer):
    assert listed(buyer, search="&|!:*") == []
