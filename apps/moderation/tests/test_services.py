"""Blocks and reports: the rules, and what a block does to the chat."""

import pytest

from apps.chat import edits, services
from apps.chat.models import Message
from apps.chat.topics import conversation_topic
from apps.moderation import selectors
from apps.moderation.models import Block, Report
from apps.moderation.services import (
    ModerationError,
    block_create,
    block_delete,
    report_create,
    reports_resolve,
)
from apps.notifications.models import Notification
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


def send(conversation, user, body, client_id):
    return services.message_send(
        conversation_id=conversation.pk, sender=user, body=body, client_id=client_id
    )


def test_blocked_between_is_true_both_ways_and_only_for_the_pair(buyer, seller, stranger):
    assert not selectors.blocked_between(buyer, seller)
    block_create(blocker=seller, blocked_id=buyer.pk)
    assert selectors.blocked_between(buyer, seller)
    assert selectors.blocked_between(seller.pk, buyer.pk)  # ids work too
    assert not selectors.blocked_between(buyer, stranger)


@pytest.mark.parametrize("blocker", ["buyer", "seller"])
def test_a_block_stops_messages_both_ways_and_nothing_is_stored_or_sent(
    request, conversation, buyer, seller, blocker
):
    block_create(
        blocker=request.getfixturevalue(blocker),
        blocked_id=(seller if blocker == "buyer" else buyer).pk,
    )
    room = stream_offset(topic=conversation_topic(conversation.pk))
    for sender in (buyer, seller):
        with pytest.raises(services.Blocked):
            send(conversation, sender, "Hello?", f"c-{sender.pk}")
    assert not Message.objects.exists()
    assert events_after(conversation_topic(conversation.pk), room) == []
    assert not Notification.objects.exists()


def test_the_refusal_says_whose_block_it_is(conversation, buyer, seller):
    block_create(blocker=buyer, blocked_id=seller.pk)
    with pytest.raises(services.Blocked, match="You blocked seller: unblock"):
        send(conversation, buyer, "Hi", "c-1")
    with pytest.raises(services.Blocked, match="you were blocked"):
        send(conversation, seller, "Hi", "c-2")


def test_history_stays_and_unblocking_lets_messages_through_again(conversation, buyer, seller):
    before, _ = send(conversation, buyer, "Before", "c-1")
    block_create(blocker=seller, blocked_id=buyer.pk)
    assert list(Message.objects.all()) == [before]
    assert block_delete(blocker=seller, blocked_id=buyer.pk) is True
    after, created = send(conversation, buyer, "After", "c-2")
    assert created and after.body == "After"
    assert block_delete(blocker=seller, blocked_id=buyer.pk) is False


def test_a_blocked_pair_cannot_edit_but_may_delete(conversation, buyer, seller):
    message, _ = send(conversation, buyer, "Hello", "c-1")
    block_create(blocker=seller, blocked_id=buyer.pk)
    with pytest.raises(services.Blocked):
        edits.message_edit(
            conversation_id=conversation.pk, message_id=message.pk, user=buyer, body="Scam link"
        )
    edits.message_delete(conversation_id=conversation.pk, message_id=message.pk, user=buyer)
    assert Message.objects.get().deleted_at is not None


def test_blocking_twice_keeps_one_block_and_oneself_or_nobody_is_refused(buyer, seller):
    first, created = block_create(blocker=buyer, blocked_id=seller.pk)
    again, created_again = block_create(blocker=buyer, blocked_id=seller.pk)
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert Block.objects.count() == 1
    for blocked_id in (buyer.pk, 999_999):
        with pytest.raises(ModerationError) as refused:
            block_create(blocker=buyer, blocked_id=blocked_id)
        assert refused.value.field == "user"


def test_a_report_keeps_the_text_as_reported_and_waits_open(conversation, buyer, seller):
    message, _ = send(conversation, seller, "Pay me by gift card", "c-1")
    report, created = report_create(
        reporter=buyer, conversation_id=conversation.pk, message_id=message.pk, reason=" Scam "
    )
    assert created and (report.reason, report.status) == ("Scam", "open")
    edits.message_delete(conversation_id=conversation.pk, message_id=message.pk, user=seller)
    report.refresh_from_db()
    assert report.body_reported == "Pay me by gift card"
    again, created_again = report_create(
        reporter=buyer, conversation_id=conversation.pk, message_id=message.pk, reason="Again"
    )
    assert (again.pk, created_again) == (report.pk, False)


def test_reports_are_refused_for_own_messages_strangers_and_empty_reasons(
    conversation, buyer, seller, stranger
):
    message, _ = send(conversation, seller, "Hello", "c-1")
    with pytest.raises(ModerationError, match="own message"):
        report_create(
            reporter=seller, conversation_id=conversation.pk, message_id=message.pk, reason="x"
        )
    with pytest.raises(Message.DoesNotExist):
        report_create(
            reporter=stranger, conversation_id=conversation.pk, message_id=message.pk, reason="x"
        )
    with pytest.raises(ModerationError) as refused:
        report_create(
            reporter=buyer, conversation_id=conversation.pk, message_id=message.pk, reason="  "
        )
    assert refused.value.field == "reason"
    assert not Report.objects.exists()


def test_resolving_marks_open_reports_with_who_and_when(conversation, buyer, seller):
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("admin", "admin@example.com", "admin-pass-1")
    message, _ = send(conversation, seller, "Hello", "c-1")
    report, _ = report_create(
        reporter=buyer, conversation_id=conversation.pk, message_id=message.pk, reason="Spam"
    )
    assert reports_resolve(report_ids=[report.pk], moderator=admin) == 1
    assert reports_resolve(report_ids=[report.pk], moderator=admin) == 0
    report.refresh_from_db()
    assert (report.status, report.resolved_by) == ("resolved", admin)
