"""The chat's sockets: /ws/chat/<id>/ (seed 003) and the same topic on /ws/."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from apps.chat import services
from apps.chat.models import Message, Participant
from apps.chat.topics import conversation_topic, inbox_topic
from tidewire import close_codes
from tidewire.testing.sockets import close_frame, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def chat_socket(conversation, user):
    client, connected, _ = await open_socket(f"/ws/chat/{conversation.pk}/", user=user)
    assert connected
    state = await client.frame()  # presence comes first on a presence topic
    assert state["type"] == "presence_state"
    return client


async def next_of(client, kind, timeout=3):  # noqa: ASYNC109
    """The next frame of `kind`, skipping presence frames."""
    while True:
        frame = await client.frame(timeout)
        if frame["type"] == kind:
            return frame
        assert frame["type"] in ("presence_diff", "presence_state"), frame


async def both(client, *kinds, timeout=3):  # noqa: ASYNC109
    """One frame of each kind, whichever order they come in (an ack and its broadcast race)."""
    found = {}
    while len(found) < len(kinds):
        frame = await client.frame(timeout)
        if frame["type"] in kinds and frame["type"] not in found:
            found[frame["type"]] = frame
        else:
            assert frame["type"] in ("presence_diff", "presence_state"), frame
    return [found[kind] for kind in kinds]


async def test_a_message_reaches_both_sides_and_the_sender_gets_an_ack(
    any_layer, conversation, buyer, seller
):
    seller_socket = await chat_socket(conversation, seller)
    buyer_socket = await chat_socket(conversation, buyer)
    await buyer_socket.send_frame(
        {"type": "message", "body": " Hello! ", "client_id": "c-1", "ref": 7}
    )
    ack, own_copy = await both(buyer_socket, "ack", "message")
    assert ack["ref"] == 7 and ack["client_id"] == "c-1"
    stored = ack["message"]
    assert (stored["body"], stored["sender"], stored["status"]) == ("Hello!", buyer.pk, "sent")
    assert own_copy == {"type": "message", "message": stored}
    assert await next_of(seller_socket, "message") == {"type": "message", "message": stored}
    await seller_socket.disconnect()
    await buyer_socket.disconnect()


async def test_seed_003s_bare_frame_is_a_message(in_memory_layer, conversation, buyer, seller):
    seller_socket = await chat_socket(conversation, seller)
    buyer_socket = await chat_socket(conversation, buyer)
    await buyer_socket.send_frame({"message": "Hello"})
    frame = await next_of(seller_socket, "message")
    assert frame["message"]["body"] == "Hello"
    assert frame["message"]["client_id"].startswith("seed-")
    await seller_socket.disconnect()
    await buyer_socket.disconnect()


async def test_a_retried_socket_send_is_stored_once(in_memory_layer, conversation, buyer, seller):
    seller_socket = await chat_socket(conversation, seller)
    buyer_socket = await chat_socket(conversation, buyer)
    for _ in range(2):
        await buyer_socket.send_frame({"type": "message", "body": "Once", "client_id": "dup"})
    frames = [await buyer_socket.frame() for _ in range(3)]  # two acks and one broadcast
    acks = [f for f in frames if f["type"] == "ack"]
    assert len(acks) == 2 and acks[0]["message"]["id"] == acks[1]["message"]["id"]
    await next_of(seller_socket, "message")
    assert await seller_socket.nothing_more(0.3)
    assert await database_sync_to_async(Message.objects.count)() == 1
    await seller_socket.disconnect()
    await buyer_socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "named"),
    [
        ({"type": "message", "body": "   ", "client_id": "a"}, '"body"'),
        ({"type": "message", "body": "x" * 5001, "client_id": "a"}, '"body"'),
        ({"type": "message", "body": 3, "client_id": "a"}, '"body"'),
        ({"type": "message", "body": "Hi", "client_id": "no spaces"}, '"client_id"'),
        ({"type": "typing", "typing": "yes"}, '"typing"'),
        ({"type": "read", "up_to": -1}, '"up_to"'),
        ({"type": "dance"}, "dance"),
    ],
)
async def test_bad_frames_get_an_error_frame_naming_the_problem(
    in_memory_layer, conversation, buyer, frame, named
):
    socket = await chat_socket(conversation, buyer)
    await socket.send_frame({**frame, "ref": "r"})
    error = await next_of(socket, "error")
    assert error["ref"] == "r" and named in error["message"]
    await socket.send_frame({"type": "ping"})
    assert (await next_of(socket, "pong"))["type"] == "pong"  # still open
    assert await database_sync_to_async(Message.objects.count)() == 0
    await socket.disconnect()


async def test_a_stranger_is_closed_4403_and_refused_the_topic(
    in_memory_layer, conversation, stranger
):
    client, _, _ = await open_socket(f"/ws/chat/{conversation.pk}/", user=stranger)
    assert (await close_frame(client))["code"] == close_codes.FORBIDDEN
    multiplexed, _, _ = await open_socket("/ws/", user=stranger)
    for topic in (conversation_topic(conversation.pk), inbox_topic(conversation.buyer_id)):
        await multiplexed.send_frame({"type": "subscribe", "topic": topic, "ref": "s"})
        error = await multiplexed.frame()
        assert (error["type"], error["code"]) == ("error", "forbidden")
    # Frames about a topic not joined go nowhere.
    await multiplexed.send_frame(
        {
            "type": "message",
            "topic": conversation_topic(conversation.pk),
            "body": "x",
            "client_id": "x",
        }
    )
    assert (await multiplexed.frame())["code"] == "not_subscribed"
    assert await database_sync_to_async(Message.objects.count)() == 0
    await multiplexed.disconnect()


async def test_a_huge_conversation_id_is_refused_not_crashed(in_memory_layer, buyer):
    client, _, _ = await open_socket(f"/ws/chat/{'9' * 40}/", user=buyer)
    assert (await close_frame(client))["code"] in (
        close_codes.FORBIDDEN,
        close_codes.INTERNAL_ERROR,
    )


async def test_typing_reaches_the_other_side_and_stops_when_the_typists_last_socket_closes(
    any_layer, conversation, buyer, seller
):
    seller_socket = await chat_socket(conversation, seller)
    buyer_tab_1 = await chat_socket(conversation, buyer)
    buyer_tab_2 = await chat_socket(conversation, buyer)
    await buyer_tab_1.send_frame({"type": "typing", "typing": True})
    assert await next_of(seller_socket, "typing") == {
        "type": "typing",
        "user": buyer.pk,
        "typing": True,
    }
    await buyer_tab_1.disconnect()  # another tab is still open: no stop yet
    await buyer_tab_2.disconnect()
    stop = await next_of(seller_socket, "typing")
    assert stop == {"type": "typing", "user": buyer.pk, "typing": False}
    participant = await database_sync_to_async(Participant.objects.get)(
        conversation=conversation, user=buyer
    )
    assert participant.last_seen_at is not None
    await seller_socket.disconnect()


async def test_presence_shows_the_other_side_joining_and_leaving(
    in_memory_layer, conversation, buyer, seller
):
    seller_socket = await chat_socket(conversation, seller)
    buyer_socket = await chat_socket(conversation, buyer)
    joined = await seller_socket.frame()
    assert joined["type"] == "presence_diff" and str(buyer.pk) in joined["joins"]
    await buyer_socket.disconnect()
    left = await next_of(seller_socket, "presence_diff")
    assert str(buyer.pk) in left["leaves"]
    await seller_socket.disconnect()


async def test_read_on_the_multiplexed_socket_sends_a_receipt(
    any_layer, conversation, buyer, seller
):
    message, _ = await database_sync_to_async(services.message_send)(
        conversation_id=conversation.pk, sender=buyer, body="Hi", client_id="1"
    )
    buyer_socket = await chat_socket(conversation, buyer)
    seller_mux, _, _ = await open_socket("/ws/", user=seller)
    topic = conversation_topic(conversation.pk)
    await seller_mux.send_frame({"type": "subscribe", "topic": topic, "ref": "s"})
    assert (await seller_mux.frame())["type"] == "subscribed"
    await seller_mux.send_frame({"type": "read", "topic": topic, "up_to": message.pk, "ref": "m"})
    # The reply and the receipt's event (the seller follows the room too) may come in
    # either order.
    marked, own_receipt = await both(seller_mux, "marked", "event")
    assert own_receipt["event"]["type"] == "receipt"
    assert marked == {
        "type": "marked",
        "conversation": conversation.pk,
        "delivered_up_to": message.pk,
        "read_up_to": message.pk,
        "topic": topic,
        "ref": "m",
    }
    receipt = await next_of(buyer_socket, "receipt")
    assert receipt == {
        "type": "receipt",
        "user": seller.pk,
        "delivered_up_to": message.pk,
        "read_up_to": message.pk,
    }
    await buyer_socket.disconnect()
    await seller_mux.disconnect()


async def test_the_inbox_catches_up_from_its_offset(in_memory_layer, conversation, buyer, seller):
    inbox = inbox_topic(seller.pk)
    from tidewire.streams import stream_offset

    offset = await database_sync_to_async(stream_offset)(topic=inbox)
    for i in range(3):
        await database_sync_to_async(services.message_send)(
            conversation_id=conversation.pk, sender=buyer, body=f"m{i}", client_id=f"m{i}"
        )
    seller_mux, _, _ = await open_socket("/ws/", user=seller)
    await seller_mux.send_frame({"type": "subscribe", "topic": inbox, "offset": offset})
    frames = await seller_mux.frames(4)
    assert [f["type"] for f in frames] == ["event", "event", "event", "subscribed"]
    assert [f["event"]["conversation"]["unread_count"] for f in frames[:3]] == [1, 2, 3]
    # Delivery from the list page (the inbox topic).
    last = frames[2]["event"]["conversation"]["last_message"]["id"]
    await seller_mux.send_frame(
        {"type": "delivered", "topic": inbox, "conversation": conversation.pk, "up_to": last}
    )
    assert (await seller_mux.frame())["delivered_up_to"] == last
    await seller_mux.send_frame(
        {"type": "delivered", "topic": inbox, "conversation": 10**6, "up_to": 1}
    )
    assert (await seller_mux.frame())["code"] == "not_found"
    await seller_mux.disconnect()


async def test_sends_over_the_socket_share_the_users_rate_limit(
    in_memory_layer, conversation, buyer, settings
):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "chat_send": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    socket = await chat_socket(conversation, buyer)
    for i in range(3):
        await socket.send_frame({"type": "message", "body": "Hi", "client_id": f"r{i}"})
    frames = [await socket.frame() for _ in range(5)]  # 2 acks, 2 broadcasts, 1 refusal
    assert sorted(f["type"] for f in frames) == ["ack", "ack", "error", "message", "message"]
    assert next(f for f in frames if f["type"] == "error")["code"] == "rate_limited"
    await asyncio.sleep(0.05)
    assert await database_sync_to_async(Message.objects.count)() == 2
    await socket.disconnect()


async def test_edit_and_delete_over_the_socket_reach_the_other_side(
    in_memory_layer, conversation, buyer, seller
):
    message, _ = await database_sync_to_async(services.message_send)(
        conversation_id=conversation.pk, sender=buyer, body="Helo", client_id="c-1"
    )
    seller_socket = await chat_socket(conversation, seller)
    buyer_socket = await chat_socket(conversation, buyer)
    await buyer_socket.send_frame({"type": "edit", "message": message.pk, "body": "Hello"})
    changed, own_copy = await both(buyer_socket, "changed", "message_updated")
    assert changed["message"]["body"] == "Hello" and changed["message"]["edited_at"]
    assert own_copy["message"] == changed["message"]
    updated = await next_of(seller_socket, "message_updated")
    assert updated["message"] == changed["message"]
    # The other side may not change it: an error frame naming why.
    await seller_socket.send_frame({"type": "delete", "message": message.pk})
    assert (await next_of(seller_socket, "error"))["code"] == "forbidden"
    await buyer_socket.send_frame({"type": "delete", "message": message.pk})
    assert (await next_of(seller_socket, "message_updated"))["message"]["deleted"] is True
    await both(buyer_socket, "changed", "message_updated")
    await buyer_socket.send_frame({"type": "edit", "message": message.pk, "body": "back"})
    assert (await next_of(buyer_socket, "error"))["code"] == "too_late"
    await buyer_socket.send_frame({"type": "edit", "message": "x", "body": "back"})
    assert '"message"' in (await next_of(buyer_socket, "error"))["message"]
    await seller_socket.disconnect()
    await buyer_socket.disconnect()
