"""The streams guarantees with real processes: uvicorn servers over one Redis and PostgreSQL.

Each test starts its own server processes against the test database (committed
data: transactional tests) and the suite's private redis-server.
"""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
import websockets
from asgiref.sync import sync_to_async

from apps.records import services
from apps.records.models import UserRecord
from apps.records.topics import USERS_TOPIC
from tidewire import close_codes
from tidewire.faults import AFTER_COMMIT_BEFORE_PUBLISH, CRASH_EXIT_STATUS
from tidewire.streams import stream_offset
from tidewire.testing.servers import ServerProcess
from tidewire.testing.sockets import access_token
from tidewire.testing.stalled_client import StalledClient
from tidewire.testing.subscriber import ResumingSubscriber

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def record(editor):
    return services.user_record_create(first_name="Ada", last_name="Lovelace")


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token(user)}"}


async def patch(server: ServerProcess, user, record_id: int, **fields):
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(user), timeout=10) as http:
        return await http.patch(f"/api/users/{record_id}/", json=fields)


async def test_a_patch_served_by_one_process_reaches_a_socket_on_another(servers, editor, record):
    a, b = servers(), servers()
    token = access_token(editor)
    async with websockets.connect(
        f"{b.ws_url}/ws/user-updates/?token={token}", origin=b.url
    ) as socket:
        response = await patch(a, editor, record.pk, first_name="Augusta")
        assert response.status_code == 200
        frame = orjson.loads(await asyncio.wait_for(socket.recv(), 5))
    assert frame["type"] == "user_update"
    assert frame["data"]["user"]["first_name"] == "Augusta"
    assert frame["data"]["user"]["version"] == 2


async def test_a_subscriber_that_was_away_for_50_changes_gets_exactly_those_50_in_order(
    servers, editor, record
):
    a, b = servers(), servers()
    subscriber = ResumingSubscriber([b.ws_url], USERS_TOPIC, token=access_token(editor))
    await subscriber.start()
    start = subscriber.offset
    await subscriber.stop()
    async with httpx.AsyncClient(base_url=a.url, headers=bearer(editor), timeout=10) as http:
        for n in range(50):
            response = await http.patch(f"/api/users/{record.pk}/", json={"first_name": f"n{n}"})
            assert response.status_code == 200
    returning = ResumingSubscriber([b.ws_url], USERS_TOPIC, token=access_token(editor))
    await returning.start(offset=start)
    assert returning.offsets == list(range(start + 1, start + 51))
    names = [e["event"]["data"]["user"]["first_name"] for e in returning.events]
    assert names == [f"n{n}" for n in range(50)]
    await asyncio.sleep(0.5)
    assert len(returning.events) == 50  # no repeats after going live
    await returning.stop()


async def test_an_event_whose_writer_died_after_commit_is_still_delivered(servers, editor, record):
    doomed = servers(TIDEWIRE_FAULT=AFTER_COMMIT_BEFORE_PUBLISH)
    survivor = servers()
    subscriber = ResumingSubscriber([survivor.ws_url], USERS_TOPIC, token=access_token(editor))
    await subscriber.start()
    before = subscriber.offset
    with pytest.raises(httpx.TransportError):  # the process dies before answering
        await patch(doomed, editor, record.pk, first_name="Committed")
    assert await asyncio.to_thread(doomed.wait_exit) == CRASH_EXIT_STATUS
    refreshed = await sync_to_async(UserRecord.objects.get)(pk=record.pk)
    assert refreshed.first_name == "Committed"  # the change committed, the publish never ran
    await subscriber.wait_for_offset(before + 1, timeout=10)
    assert subscriber.events[-1]["event"]["data"]["user"]["first_name"] == "Committed"
    await subscriber.stop()


async def test_redis_restarted_under_load_and_every_client_gets_everything(
    servers, editor, record, redis_server
):
    a, b = servers(), servers()
    token = access_token(editor)
    subscribers = [
        ResumingSubscriber([url, other], USERS_TOPIC, token=token)
        for url, other in [(a.ws_url, b.ws_url), (b.ws_url, a.ws_url), (b.ws_url, a.ws_url)]
    ]
    for subscriber in subscribers:
        await subscriber.start()
    start = await sync_to_async(stream_offset)(topic=USERS_TOPIC)
    writes = 60

    async def write():
        async with httpx.AsyncClient(headers=bearer(editor), timeout=10) as http:
            for n in range(writes):
                server = (a, b)[n % 2]
                response = await http.patch(
                    f"{server.url}/api/users/{record.pk}/", json={"first_name": f"w{n}"}
                )
                assert response.status_code == 200, response.text
                await asyncio.sleep(0.02)

    writer = asyncio.create_task(write())
    await asyncio.sleep(0.4)
    await asyncio.to_thread(redis_server.restart)
    await writer
    for subscriber in subscribers:
        await subscriber.wait_for_offset(start + writes, timeout=20)
        assert subscriber.offsets == list(range(start + 1, start + writes + 1))
        assert subscriber.resets == 0
        await subscriber.stop()


async def test_a_socket_too_slow_to_keep_up_is_closed_4008_and_resumes_losing_nothing(
    servers, editor, record
):
    server = servers(send_buffer=4096, TIDEWIRE_SOCKET_BUFFER_LIMIT="16384")
    token = access_token(editor)
    start = await sync_to_async(stream_offset)(topic=USERS_TOPIC)
    # A client that stops reading: its 4 KB window closes, the server's 4 KB socket
    # buffer fills, and then more than 16 KB wait in the server's transport.
    lazy = await asyncio.to_thread(
        StalledClient, f"{server.ws_url}/ws/?token={token}", origin=server.url
    )
    lazy.send_frame({"type": "subscribe", "topic": USERS_TOPIC})
    assert (await asyncio.to_thread(lazy.receive_frame))["type"] == "subscribed"
    await _write_many(server, editor, record.pk, SLOW_CONSUMER_EVENTS)
    frames, code = await asyncio.to_thread(lazy.read_until_closed)
    lazy.close()
    assert code == close_codes.TOO_SLOW
    received = [f["offset"] for f in frames if f["type"] == "event"]
    assert 0 < len(received) < SLOW_CONSUMER_EVENTS
    assert received == list(range(start + 1, start + 1 + len(received)))  # in order, then cut
    end = await sync_to_async(stream_offset)(topic=USERS_TOPIC)
    assert end == start + SLOW_CONSUMER_EVENTS
    resumed = ResumingSubscriber([server.ws_url], USERS_TOPIC, token=token)
    await resumed.start(offset=received[-1])
    await resumed.wait_for_offset(end)
    assert resumed.offsets == list(range(received[-1] + 1, end + 1))
    await resumed.stop()


async def _write_many(server: ServerProcess, user, record_id: int, count: int) -> None:
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(user), timeout=10) as http:
        for n in range(count):
            name = f"{n:04d}" + "x" * 146  # as long as a name may be
            response = await http.patch(f"/api/users/{record_id}/", json={"first_name": name})
            assert response.status_code == 200


# Events of ~450 bytes: ~135 KB, several times what 4 KB socket buffers on both
# ends and the 16 KB limit hold (and over asyncio's 64 KB pause mark, should the
# server not write frames itself). Few enough that the client, which answers no
# ping while stalled, is not dropped by uvicorn's 20 s keepalive first.
SLOW_CONSUMER_EVENTS = 300
