"""Missed-message emails on a frozen clock: once, on time, never for what was read."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail

from apps.chat import services
from apps.chat.emails import CONVERSATION_EMAIL_INTERVAL
from apps.chat.models import Message
from apps.listings.services import listing_create
from apps.mailing.jobs import SEND_INTERVAL
from apps.mailing.models import OutgoingEmail
from apps.mailing.services import emails_send_due
from apps.mailing.unsubscribe import unsubscribe_url
from apps.notifications.services import preference_set

pytestmark = pytest.mark.django_db

DELAY = 300  # TIDEWIRE_MISSED_MESSAGE_DELAY's default
client_ids = itertools.count()


@pytest.fixture(autouse=True)
def addresses(buyer, seller):
    for user in (buyer, seller):
        user.email = f"{user.username}@example.com"
        user.save()


def send(conversation, user, body):
    message, created = services.message_send(
        conversation_id=conversation.pk, sender=user, body=body, client_id=f"c-{next(client_ids)}"
    )
    assert created
    return message


def read(conversation, user, message):
    services.conversation_mark(
        conversation_id=conversation.pk, user_id=user.pk, up_to=message.pk, read=True
    )


def run_job_until(clock, seconds):
    """The send job every SEND_INTERVAL seconds from now for `seconds`; the emails it sent."""
    sent_before = len(mail.outbox)
    end = clock.now() + timedelta(seconds=seconds)
    while clock.now() < end:
        emails_send_due(now=clock.now())
        clock.advance(SEND_INTERVAL)
    return mail.outbox[sent_before:]


def test_a_message_read_within_the_delay_sends_no_email(clock, conversation, buyer, seller):
    message = send(conversation, buyer, "Is it still available?")
    clock.advance(DELAY - 1)
    read(conversation, seller, message)
    assert run_job_until(clock, 2 * 3600) == []
    assert OutgoingEmail.objects.get().status == "cancelled"


def test_a_message_unread_after_the_delay_sends_one_email_then(clock, conversation, buyer):
    message = send(conversation, buyer, "Is it still available?")
    assert emails_send_due(now=message.created_at + timedelta(seconds=DELAY - 1)) == {}
    assert emails_send_due(now=message.created_at + timedelta(seconds=DELAY)) == {"sent": 1}
    [email] = mail.outbox
    assert email.to == ["seller@example.com"]
    assert email.subject == "1 unread message from buyer about Laptop for Sale"
    assert "Is it still available?" in email.body
    assert run_job_until(clock, 3 * 3600) == []  # and never again for it


@pytest.mark.parametrize("phase", [0, 1, 7, SEND_INTERVAL - 1])
def test_the_email_goes_out_no_later_than_a_minute_after_the_delay(
    clock, conversation, buyer, phase
):
    message = send(conversation, buyer, "Hello?")
    clock.advance(phase)  # wherever the job's period happens to start
    [email] = run_job_until(clock, DELAY + 120)
    sent_at = OutgoingEmail.objects.get().sent_at
    assert DELAY <= (sent_at - message.created_at).total_seconds() <= DELAY + 60
    assert email.subject.startswith("1 unread message")


def test_ten_unread_messages_in_three_conversations_make_exactly_one_email(
    clock, listing, conversation, buyer, seller
):
    second = listing_create(seller=seller, title="Desk lamp", price=Decimal("20"))
    third = listing_create(seller=seller, title="Road bike", price=Decimal("300"))
    carol = User.objects.create_user(username="carol", password="carol-pass-1")
    conversations = [
        conversation,
        services.conversation_open(listing_id=second.pk, buyer=buyer)[0],
        services.conversation_open(listing_id=third.pk, buyer=carol)[0],
    ]
    senders = [buyer, buyer, carol]
    bodies = []
    for n in range(10):  # over the first 90 seconds, round the three conversations
        bodies.append(f"message number {n}")
        send(conversations[n % 3], senders[n % 3], bodies[-1])
        clock.advance(10)
    emails = run_job_until(clock, 2 * 3600)
    assert len(emails) == 1
    [email] = emails
    assert email.subject == "10 unread messages in 3 conversations"
    for text in [*bodies, "Laptop for Sale", "Desk lamp", "Road bike", "with buyer", "with carol"]:
        assert text in email.body
    html = email.alternatives[0][0]
    assert all(body in html for body in bodies)


def test_at_most_one_email_per_conversation_per_hour(clock, listing, conversation, buyer, seller):
    other = services.conversation_open(
        listing_id=listing_create(seller=seller, title="Desk lamp", price=Decimal("20")).pk,
        buyer=buyer,
    )[0]
    send(conversation, buyer, "first")
    assert len(run_job_until(clock, DELAY + SEND_INTERVAL)) == 1
    first_at = OutgoingEmail.objects.get(status="sent").sent_at
    clock.advance(600)
    send(conversation, buyer, "second, in the same conversation")
    send(other, buyer, "meanwhile, about the lamp")
    # The lamp's conversation was not emailed: its message goes out after the delay, alone.
    [lamp] = run_job_until(clock, DELAY + SEND_INTERVAL)
    assert "meanwhile, about the lamp" in lamp.body
    assert "second, in the same conversation" not in lamp.body
    # The laptop's waits for the hour since its last email, then lists what is unread.
    until_hour_end = (first_at + CONVERSATION_EMAIL_INTERVAL - clock.now()).total_seconds()
    assert run_job_until(clock, until_hour_end) == []
    [laptop] = run_job_until(clock, SEND_INTERVAL)
    laptop_at = OutgoingEmail.objects.filter(status="sent").latest("sent_at").sent_at
    assert laptop_at == first_at + CONVERSATION_EMAIL_INTERVAL
    assert "second, in the same conversation" in laptop.body and "first" in laptop.body
    assert "about the lamp" not in laptop.body
    assert run_job_until(clock, 3 * 3600) == []


def test_the_email_has_the_text_as_it_is_when_sent(clock, conversation, buyer):
    message = send(conversation, buyer, "Would you take 400?")
    Message.objects.filter(pk=message.pk).update(body="Would you take 380?")  # edited later
    [email] = run_job_until(clock, DELAY + SEND_INTERVAL)
    assert "Would you take 380?" in email.body and "400" not in email.body


def test_a_message_deleted_within_the_delay_sends_no_email(clock, conversation, buyer):
    message = send(conversation, buyer, "Oops, wrong chat")
    clock.advance(60)
    Message.objects.filter(pk=message.pk).delete()
    assert run_job_until(clock, 2 * 3600) == []
    assert OutgoingEmail.objects.get().status == "cancelled"


def test_reading_the_first_message_leaves_the_second_its_own_delay(
    clock, conversation, buyer, seller
):
    first = send(conversation, buyer, "one")
    clock.advance(120)
    second = send(conversation, buyer, "two")
    clock.advance(80)
    read(conversation, seller, first)
    assert run_job_until(clock, DELAY - 200 + SEND_INTERVAL) == []  # past the first's due time
    email_row = OutgoingEmail.objects.get()
    assert email_row.due_at == second.created_at + timedelta(seconds=DELAY)
    [email] = run_job_until(clock, 120 + SEND_INTERVAL)
    assert "two" in email.body and "one" not in email.body


def test_emails_turned_off_or_no_address_send_none(clock, conversation, buyer, seller):
    preference_set(user_id=seller.pk, kind="chat_message", channel="email", enabled=False)
    send(conversation, buyer, "hello")
    buyer.email = ""
    buyer.save()
    send(conversation, seller, "no address, no email scheduled")
    assert run_job_until(clock, 2 * 3600) == []
    assert OutgoingEmail.objects.get().last_error == "the recipient turned these emails off"


def test_the_email_is_multipart_escaped_and_carries_one_click_unsubscribe(
    clock, conversation, buyer, seller, settings
):
    settings.SITE_URL = "https://tidewire.example"
    send(conversation, buyer, "<b>Deal?</b> & more")
    [email] = run_job_until(clock, DELAY + SEND_INTERVAL)
    html = email.alternatives[0][0]
    assert email.alternatives[0][1] == "text/html"
    assert "<b>Deal?</b> & more" in email.body  # text: as written
    assert "&lt;b&gt;Deal?&lt;/b&gt; &amp; more" in html and "<b>Deal?" not in html
    room = f"https://tidewire.example/chat/{conversation.pk}/"
    assert room in email.body and room in html
    link = unsubscribe_url(user_id=seller.pk, kind="chat_message")
    assert link.startswith("https://tidewire.example/notifications/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in email.body and link in html


def test_a_conversation_emailed_once_is_emailed_again_only_for_new_messages(
    clock, conversation, buyer, seller
):
    send(conversation, buyer, "first")
    assert len(run_job_until(clock, DELAY + SEND_INTERVAL)) == 1
    assert run_job_until(clock, 3 * 3600) == []  # still unread, but already told
    send(conversation, buyer, "second")
    [again] = run_job_until(clock, DELAY + SEND_INTERVAL)
    assert "first" in again.body and "second" in again.body  # every unread message
    # Each side hears only of the other's messages.
    send(conversation, seller, "a reply")
    [reply] = run_job_until(clock, DELAY + SEND_INTERVAL)
    assert reply.to == ["buyer@example.com"] and "a reply" in reply.body


def test_an_edit_through_the_service_is_what_the_email_says(clock, conversation, buyer):
    from apps.chat.edits import message_edit

    message = send(conversation, buyer, "Would you take 400?")
    clock.advance(60)
    message_edit(conversation_id=conversation.pk, message_id=message.pk, user=buyer, body="Or 390?")
    [email] = run_job_until(clock, DELAY + SEND_INTERVAL)
    assert "Or 390?" in email.body and "400" not in email.body


def test_a_message_deleted_for_everyone_is_left_out_of_the_email(clock, conversation, buyer):
    from apps.chat.edits import message_delete

    kept = send(conversation, buyer, "Still available?")
    gone = send(conversation, buyer, "My number is 0612345678")
    clock.advance(60)
    message_delete(conversation_id=conversation.pk, message_id=gone.pk, user=buyer)
    [email] = run_job_until(clock, DELAY + SEND_INTERVAL)
    assert kept.body in email.body and "0612345678" not in email.body


def test_only_deleted_messages_unread_send_no_email(clock, conversation, buyer):
    from apps.chat.edits import message_delete

    gone = send(conversation, buyer, "Oops, wrong chat")
    message_delete(conversation_id=conversation.pk, message_id=gone.pk, user=buyer)
    assert run_job_until(clock, 2 * 3600) == []
    assert OutgoingEmail.objects.get().status == "cancelled"


def test_a_photo_without_text_says_so_in_the_email(clock, conversation, buyer, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    services.message_send(
        conversation_id=conversation.pk,
        sender=buyer,
        body="",
        client_id="photo-1",
        images=[SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")],
    )
    [email] = run_job_until(clock, DELAY + SEND_INTERVAL)
    assert "(a photo)" in email.body
