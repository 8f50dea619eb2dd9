"""The unread count as every tab sees it: pushed, exact, never negative, equal to the database."""

import random

import pytest
from channels.db import database_sync_to_async

from apps.notifications import selectors, services
from apps.notifications.models import Notification
from apps.notifications.topics import notifications_topic
from tidewire.testing.sockets import open_socket

pytestmark = pytest.mark.django_db(transaction=True)


def random_operation(rng: random.Random, user_id: int, step: int) -> None:
    ids = list(Notification.objects.filter(recipient_id=user_id).values_list("id", flat=True))
    choice = rng.random()
    if choice < 0.45 or not ids:
        services.notify(
            recipient_id=user_id,
            kind="test_note",
            message=f"n{step}",
            # Now and then the same fact again: it must not count twice.
            dedupe_key=f"fact:{rng.randrange(step + 1)}",
        )
    elif choice < 0.7:
        services.notifications_read(recipient_id=user_id, ids=rng.sample(ids, min(3, len(ids))))
    elif choice < 0.85:
        services.notifications_read(recipient_id=user_id, up_to=rng.choice(ids))
    else:
        services.notification_archive(recipient_id=user_id, notification_id=rng.choice(ids))


async def test_the_count_of_three_sockets_follows_200_random_operations_exactly(any_layer, alice):
    topic = notifications_topic(alice.pk)
    sockets = []
    for _ in range(3):
        client, connected, _ = await open_socket("/ws/", user=alice)
        assert connected
        await client.send_frame({"type": "subscribe", "topic": topic})
        assert (await client.frame())["type"] == "subscribed"
        sockets.append(client)
    rng = random.Random(20261122)
    for step in range(200):
        await database_sync_to_async(random_operation)(rng, alice.pk, step)
    expected = await database_sync_to_async(selectors.unread_count)(recipient_id=alice.pk)
    for client in sockets:
        seen = []
        while True:
            frame = await client.frame()
            count = frame["event"].get("unread_count")
            seen.append(count)
            assert count >= 0
            if await client.nothing_more(0.3):
                break
        assert seen[-1] == expected
        await client.disconnect()
