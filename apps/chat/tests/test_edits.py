"""Edit and delete for everyone (apps/chat/edits.py): who, until when, and what is announced."""

from datetime import timedelta

import pytest

from apps.chat import edits, services
from apps.chat.models import Message
from apps.chat.topics import conversation_topic, inbox_topic
from apps.notifications.models import Notification
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db

WINDOW = timedelta(minutes=15)  # issue 14: MESSAGE_EDIT_MINUTES's default


def send(conversation, user, body, client_id):
    message, _ = services.message_send(
        conversation_id=conversation.pk, sender=user, body=body, client_id=client_id
    )
    return message


def edit(conversation, message, user, body):
    return edits.message_edit(
        conversation_id=conversation.pk, message_id=message.pk, user=user, body=body
    )


def delete(conversation, message, user):
    return edits.message_delete(conversation_id=conversation.pk, message_id=message.pk, user=user)


def url(conversation, message):
    return f"/api/conversations/{conversation.pk}/messages/{message.pk}/"


def test_an_edit_is_stored_and_announced_with_the_new_state(clock, conversation, buyer, seller):
    message = send(conversation, buyer, "Is it availabel?", "c-1")
    room = stream_offset(topic=conversation_topic(conversation.pk))
    seller_list = stream_offset(topic=inbox_topic(seller.pk))
    clock.advance(60)
    edited = edit(conversation, message, buyer, "  Is it available?  ")
    assert edited.body == "Is it available?" and edited.edited_at == clock.now()
    [event] = events_after(conversation_topic(conversation.pk), room)
    assert event["type"] == "message_updated"
    assert event["message"]["id"] == message.pk
    assert event["message"]["body"] == "Is it available?"
    assert event["message"]["edited_at"] is not None and event["message"]["deleted"] is False
    # It is the newest message: the list's preview changes too.
    [row] = events_after(inbox_topic(seller.pk), seller_list)
    assert row["conversation"]["last_message"]["body"] == "Is it available?"


def test_editing_an_older_message_leaves_the_lists_alone(conversation, buyer, seller):
    older = send(conversation, buyer, "one", "c-1")
    send(conversation, buyer, "two", "c-2")
    seller_list = stream_offset(topic=inbox_topic(seller.pk))
    edit(conversation, older, buyer, "one!")
    assert events_after(inbox_topic(seller.pk), seller_list) == []


def test_the_same_body_again_announces_nothing(conversation, buyer):
    message = send(conversation, buyer, "Hello", "c-1")
    room = stream_offset(topic=conversation_topic(conversation.pk))
    assert edit(conversation, message, buyer, "Hello").edited_at is None
    assert events_after(conversation_topic(conversation.pk), room) == []


def test_the_window_is_fifteen_minutes(clock, conversation, buyer):
    message = send(conversation, buyer, "Hello", "c-1")
    clock.advance(WINDOW.total_seconds())
    edit(conversation, message, buyer, "Hello at the last second")
    clock.advance(1)
    with pytest.raises(edits.TooLate, match="15 minutes"):
        edit(conversation, message, buyer, "too late")
    with pytest.raises(edits.TooLate):
        delete(conversation, message, buyer)
    assert Message.objects.get().body == "Hello at the last second"


def test_the_window_is_a_setting(settings, clock, conversation, buyer):
    settings.TIDEWIRE = {**getattr(settings, "TIDEWIRE", {}), "MESSAGE_EDIT_MINUTES": 1}
    message = send(conversation, buyer, "Hello", "c-1")
    clock.advance(61)
    with pytest.raises(edits.TooLate, match="1 minutes"):
        edit(conversation, message, buyer, "late")


def test_only_the_sender_may_change_a_message(conversation, buyer, seller):
    message = send(conversation, buyer, "Hello", "c-1")
    with pytest.raises(edits.NotYours):
        edit(conversation, message, seller, "Bye")
    with pytest.raises(edits.NotYours):
        delete(conversation, message, seller)


def test_strangers_and_other_conversations_see_no_message(conversation, buyer, stranger):
    message = send(conversation, buyer, "Hello", "c-1")
    with pytest.raises(Message.DoesNotExist):
        edit(conversation, message, stranger, "Bye")
    with pytest.raises(Message.DoesNotExist):
        edits.message_delete(conversation_id=conversation.pk + 1, message_id=message.pk, user=buyer)


def test_a_bad_body_is_refused_naming_body(conversation, buyer):
    message = send(conversation, buyer, "Hello", "c-1")
    with pytest.raises(services.ChatError) as refused:
        edit(conversation, message, buyer, "   ")
    assert refused.value.field == "body"


def test_delete_leaves_a_tombstone_and_announces_it(conversation, buyer, seller):
    message = send(conversation, buyer, "My phone is 0612345678", "c-1")
    room = stream_offset(topic=conversation_topic(conversation.pk))
    seller_list = stream_offset(topic=inbox_topic(seller.pk))
    delete(conversation, message, buyer)
    stored = Message.objects.get()
    assert stored.pk == message.pk and stored.body == "" and stored.deleted_at is not None
    [event] = events_after(conversation_topic(conversation.pk), room)
    assert (event["type"], event["message"]["deleted"], event["message"]["body"]) == (
        "message_updated",
        True,
        "",
    )
    [row] = events_after(inbox_topic(seller.pk), seller_list)
    assert row["conversation"]["last_message"]["deleted"] is True
    # The tombstone still counts where it stood: the unread count does not move back.
    assert row["conversation"]["unread_count"] == 1


def test_delete_archives_the_bell_notification_that_quotes_it(conversation, buyer, seller):
    message = send(conversation, buyer, "My phone is 0612345678", "c-1")
    assert Notification.objects.get(recipient=seller).archived_at is None
    delete(conversation, message, buyer)
    assert Notification.objects.get(recipient=seller).archived_at is not None


def test_a_tombstone_cannot_be_edited_or_deleted_again(conversation, buyer):
    message = send(conversation, buyer, "Hello", "c-1")
    delete(conversation, message, buyer)
    with pytest.raises(edits.TooLate, match="deleted"):
        edit(conversation, message, buyer, "back")
    with pytest.raises(edits.TooLate, match="deleted"):
        delete(conversation, message, buyer)


# REST -------------------------------------------------------------------------


def test_patch_edits_and_answers_the_new_state(client_for, conversation, buyer):
    message = send(conversation, buyer, "Helo", "c-1")
    response = client_for(buyer).patch(url(conversation, message), {"body": "Hello"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "Hello" and response.json()["edited_at"]
    # A reload shows it edited.
    history = client_for(buyer).get(f"/api/conversations/{conversation.pk}/messages/").json()
    assert history["results"][0]["edited_at"] == response.json()["edited_at"]


def test_delete_answers_the_tombstone(client_for, conversation, buyer):
    message = send(conversation, buyer, "Hello", "c-1")
    response = client_for(buyer).delete(url(conversation, message))
    assert response.status_code == 200
    assert (response.json()["deleted"], response.json()["body"]) == (True, "")


def test_rest_statuses_for_each_refusal(clock, client_for, conversation, buyer, seller, stranger):
    message = send(conversation, buyer, "Hello", "c-1")
    assert client_for(seller).delete(url(conversation, message)).status_code == 403
    assert client_for(stranger).delete(url(conversation, message)).status_code == 404
    bad = client_for(buyer).patch(url(conversation, message), {"body": ""}, format="json")
    assert bad.status_code == 400 and "body" in bad.json()
    unknown = client_for(buyer).patch(url(conversation, message), {"text": "x"}, format="json")
    assert unknown.status_code == 400
    clock.advance(WINDOW.total_seconds() + 1)
    late = client_for(buyer).patch(url(conversation, message), {"body": "x"}, format="json")
    assert late.status_code == 409 and "15 minutes" in late.json()["detail"]
    assert Message.objects.get().body == "Hello"
