"""Socket sends stored in batches (apps/chat/send_queue.py): each gets its own result."""

from __future__ import annotations

import asyncio

import pytest
from django.db import OperationalError

from apps.chat import send_queue, services
from apps.chat.models import Message
from tidewire.topics import FrameRefused

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def batches(monkeypatch):
    """The size of every batch written."""
    sizes = []
    original = services.messages_send

    def recorded(sends):
        sizes.append(len(sends))
        return original(sends)

    monkeypatch.setattr(services, "messages_send", recorded)
    return sizes


async def test_sends_arriving_together_are_written_in_few_batches_each_answered(
    conversation, buyer, seller, batches
):
    queue = send_queue.send_queue()
    sends = [
        queue.send(conversation.pk, buyer if n % 2 else seller, f"Message {n}", f"c{n}")
        for n in range(30)
    ]
    snapshots = await asyncio.gather(*sends)
    assert [s["body"] for s in snapshots] == [f"Message {n}" for n in range(30)]
    assert sum(batches) == 30 and len(batches) < 30  # the first alone, the rest together
    ids = [s["id"] for s in snapshots]
    assert ids == sorted(ids)  # stored in the order they were sent
    assert await Message.objects.filter(conversation=conversation).acount() == 30


async def test_one_writer_whatever_the_sync_threads(conversation, buyer, monkeypatch):
    """Batches are written one after another even with four sync threads (PostgreSQL's
    default): side by side they split the queue and each cost more (send_queue.py)."""
    import threading
    import time

    from tidewire import sync_threads

    four = sync_threads.SyncThreads(4)
    monkeypatch.setattr(sync_threads, "_shared", four)
    original = services.messages_send
    writing, overlaps, lock = [0], [], threading.Lock()

    def slow(sends):
        with lock:
            writing[0] += 1
            overlaps.append(writing[0])
        time.sleep(0.02)  # a batch in progress while the next sends arrive
        try:
            return original(sends)
        finally:
            with lock:
                writing[0] -= 1

    monkeypatch.setattr(services, "messages_send", slow)
    queue = send_queue.send_queue()
    sends = []
    for n in range(12):
        sends.append(asyncio.ensure_future(queue.send(conversation.pk, buyer, f"M{n}", f"w{n}")))
        await asyncio.sleep(0.005)
    snapshots = await asyncio.gather(*sends)
    assert [s["body"] for s in snapshots] == [f"M{n}" for n in range(12)]
    sync_threads.close_sync_thread_connections()  # the four threads' own, before they go
    assert len(overlaps) > 1 and max(overlaps) == 1  # several batches, never two at once


async def test_a_bad_send_in_a_batch_fails_alone(conversation, buyer, batches):
    queue = send_queue.send_queue()
    good = queue.send(conversation.pk, buyer, "Fine", "g1")
    blank = queue.send(conversation.pk, buyer, "   ", "g2")
    results = await asyncio.gather(good, blank, return_exceptions=True)
    assert results[0]["body"] == "Fine"
    assert isinstance(results[1], services.ChatError) and results[1].field == "body"


async def test_the_send_limit_refuses_each_sender_past_it(conversation, buyer, seller, settings):
    from rest_framework.settings import api_settings

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **api_settings.DEFAULT_THROTTLE_RATES,
            send_queue.SEND_SCOPE: "2/min",
        },
    }
    queue = send_queue.send_queue()
    sends = [queue.send(conversation.pk, buyer, f"B{n}", f"b{n}") for n in range(3)]
    sends.append(queue.send(conversation.pk, seller, "S", "s0"))
    results = await asyncio.gather(*sends, return_exceptions=True)
    assert [r["body"] for r in results[:2]] == ["B0", "B1"]
    assert isinstance(results[2], FrameRefused) and results[2].code == "rate_limited"
    assert results[3]["body"] == "S"  # another sender's budget


async def test_a_database_failure_reaches_every_send_of_the_batch(conversation, buyer, monkeypatch):
    def down(sends):
        raise OperationalError("database is down")

    monkeypatch.setattr(services, "messages_send", down)
    queue = send_queue.send_queue()
    results = await asyncio.gather(
        *(queue.send(conversation.pk, buyer, f"M{n}", f"m{n}") for n in range(3)),
        return_exceptions=True,
    )
    assert all(isinstance(r, OperationalError) for r in results)
    monkeypatch.undo()
    assert (await queue.send(conversation.pk, buyer, "Back", "m9"))["body"] == "Back"
