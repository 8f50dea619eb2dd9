"""The multiplexed socket at /ws/: subscribe, resume, errors, ping."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from tidewire import close_codes
from tidewire.events import EventType
from tidewire.models import Event
from tidewire.publish import publish
from tidewire.testing.sockets import open_socket, settle
from tidewire.topics import register_topic

pytestmark = [pytest.mark.django_db(transaction=True)]

NOTE = EventType("consumer_test_note", {"n": int})
register_topic(r"ctest\.open", may_join=lambda user, m: True)
register_topic(r"ctest\.closed", may_join=lambda user, m: False)


@database_sync_to_async
def emit(count, topic="ctest.open", start=0):
    for n in range(start, start + count):
        with transaction.atomic():
            publish(topic=topic, event=NOTE, n=n)


async def subscribed(client, topic="ctest.open", **extra):
    await client.send_frame({"type": "subscribe", "topic": topic, "ref": "s", **extra})


async def test_subscribe_is_acknowledged_with_the_current_offset(any_layer, editor):
    await emit(2)
    client, connected, _ = await open_socket("/ws/", user=editor)
    assert connected
    await subscribed(client)
    assert await client.frame() == {
        "type": "subscribed",
        "topic": "ctest.open",
        "offset": 2,
        "ref": "s",
    }
    await emit(1, start=2)
    event = await client.frame()
    assert event == {
        "type": "event",
        "topic": "ctest.open",
        "offset": 3,
        "event": {"type": "consumer_test_note", "n": 2},
    }
    await client.disconnect()


async def test_resume_replays_exactly_what_was_missed_in_order(any_layer, editor):
    await emit(3)
    client, _, _ = await open_socket("/ws/", user=editor)
    await subscribed(client, offset=1)
    replayed = await client.frames(2)
    assert [(f["offset"], f["event"]["n"]) for f in replayed] == [(2, 1), (3, 2)]
    ack = await client.frame()
    assert (ack["type"], ack["offset"]) == ("subscribed", 3)
    await emit(1, start=3)
    assert (await client.frame())["offset"] == 4
    assert await client.nothing_more()
    await client.disconnect()


async def test_resume_from_a_trimmed_offset_gets_a_reset(in_memory_layer, editor):
    await emit(4)
    await database_sync_to_async(Event.objects.filter(topic="ctest.open", offset__lte=2).delete)()
    client, _, _ = await open_socket("/ws/", user=editor)
    await subscribed(client, offset=0)
    assert await client.frame() == {"type": "reset", "topic": "ctest.open", "offset": 4, "ref": "s"}
    assert (await client.frame())["type"] == "subscribed"
    await client.disconnect()


async def test_unsubscribe_stops_delivery(in_memory_layer, editor):
    client, _, _ = await open_socket("/ws/", user=editor)
    await subscribed(client)
    await client.frame()
    await client.send_frame({"type": "unsubscribe", "topic": "ctest.open", "ref": "u"})
    assert await client.frame() == {"type": "unsubscribed", "topic": "ctest.open", "ref": "u"}
    await emit(1)
    await settle()
    assert await client.nothing_more()
    await client.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "subscribe", "topic": "ctest.nowhere", "ref": 1}, "unknown_topic"),
        ({"type": "subscribe", "topic": "Bad Name", "ref": 1}, "unknown_topic"),
        ({"type": "subscribe", "topic": 5, "ref": 1}, "invalid_frame"),
        ({"type": "subscribe", "topic": "ctest.open", "offset": -1, "ref": 1}, "invalid_frame"),
        ({"type": "subscribe", "topic": "ctest.open", "offset": "3", "ref": 1}, "invalid_frame"),
        ({"type": "subscribe", "topic": "ctest.closed", "ref": 1}, "forbidden"),
        ({"type": "unsubscribe", "topic": "ctest.open", "ref": 1}, "not_subscribed"),
        ({"type": "shout", "ref": 1}, "unknown_type"),
        (["not", "an", "object"], "invalid_frame"),
        ({"no": "type"}, "invalid_frame"),
    ],
)
async def test_bad_frames_get_an_error_frame_naming_the_problem(
    in_memory_layer, frame, code, editor
):
    client, _, _ = await open_socket("/ws/", user=editor)
    await client.send_frame(frame)
    error = await client.frame()
    assert error["type"] == "error"
    assert error["code"] == code
    assert error["message"]
    # The socket stays usable after an error.
    await client.send_frame({"type": "ping", "ref": "p"})
    assert await client.frame() == {"type": "pong", "ref": "p"}
    await client.disconnect()


async def test_text_that_is_not_json_and_binary_frames_are_refused(in_memory_layer, editor):
    client, _, _ = await open_socket("/ws/", user=editor)
    await client.send_to(text_data="{nope")
    assert (await client.frame())["code"] == "invalid_json"
    await client.send_to(bytes_data=b"\x00")
    assert (await client.frame())["code"] == "binary_frame"
    await client.disconnect()


async def test_subscribing_twice_is_an_error_and_delivers_once(in_memory_layer, editor):
    client, _, _ = await open_socket("/ws/", user=editor)
    await subscribed(client)
    await client.frame()
    await subscribed(client)
    assert (await client.frame())["code"] == "already_subscribed"
    await emit(1)
    assert (await client.frame())["type"] == "event"
    assert await client.nothing_more()
    await client.disconnect()


async def test_foreign_origin_is_refused(in_memory_layer, editor):
    _, connected, _ = await open_socket("/ws/", user=editor, origin=b"http://evil.example")
    assert not connected


def test_close_codes_are_distinct():
    codes = [close_codes.UNAUTHORIZED, close_codes.FORBIDDEN, close_codes.TOO_SLOW]
    assert len(set(codes)) == len(codes)
