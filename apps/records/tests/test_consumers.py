"""The seed endpoint /ws/user-updates/ in the seeds' exact format, on both channel layers."""

import orjson
import pytest
from channels.db import database_sync_to_async

from apps.records import services
from tidewire.testing.sockets import open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_every_change_arrives_in_the_seed_format(any_layer, editor):
    client, connected, _ = await open_socket("/ws/user-updates/", user=editor)
    assert connected
    record = await database_sync_to_async(services.user_record_create)(
        first_name="Ada", last_name="Lovelace"
    )
    await database_sync_to_async(services.user_record_update)(
        record_id=record.pk, changes={"last_name": "King"}
    )
    await database_sync_to_async(services.user_record_delete)(record_id=record.pk)
    frames = await client.frames(3)
    assert [f["type"] for f in frames] == ["user_update"] * 3
    assert [f["data"]["action"] for f in frames] == ["create", "update", "delete"]
    assert set(frames[0]) == {"type", "data"}
    user = frames[1]["data"]["user"]
    assert {"id", "first_name", "last_name", "created_at", "updated_at"} <= set(user)
    assert (user["id"], user["last_name"], user["version"]) == (record.pk, "King", 2)
    await client.disconnect()


async def test_many_sockets_each_get_each_change_once(any_layer, editor):
    clients = [(await open_socket("/ws/user-updates/", user=editor))[0] for _ in range(5)]
    record = await database_sync_to_async(services.user_record_create)(
        first_name="A", last_name="B"
    )
    for client in clients:
        frame = await client.frame()
        assert frame["data"]["user"]["id"] == record.pk
        assert await client.nothing_more()
        await client.disconnect()


async def test_ping_is_answered_pong_and_garbage_gets_an_error_frame(in_memory_layer, editor):
    client, _, _ = await open_socket("/ws/user-updates/", user=editor)
    await client.send_to(text_data='{"type": "ping"}')
    assert orjson.loads(await client.receive_from()) == {"type": "pong"}
    await client.send_to(text_data="hello")
    error = await client.frame()
    assert (error["type"], error["code"]) == ("error", "invalid_json")
    await client.disconnect()
