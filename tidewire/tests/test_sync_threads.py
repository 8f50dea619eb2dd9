"""Django's sync code on a few long-lived threads: reused, spread, one request per step."""

import asyncio
import json

import pytest
from channels.testing import HttpCommunicator

from tidewire.sync_threads import PooledASGIHandler, SyncThreads
from tidewire.tests import sync_threads_urls

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tidewire.tests.sync_threads_urls"),
]


async def _get(handler, path):
    communicator = HttpCommunicator(handler, "GET", path, headers=[(b"host", b"localhost")])
    response = await communicator.get_response(timeout=15)
    await communicator.wait()  # the request finishes: its connection is given back
    assert response["status"] == 200, response
    return json.loads(response["body"])


async def _while_a_request_holds_a_thread(handler, path):
    """Get `path` while a /wait/ request holds a sync thread; both answers."""
    sync_threads_urls.release.clear()
    slow = asyncio.ensure_future(_get(handler, "/wait/"))
    await asyncio.sleep(0.2)  # the slow request now holds its thread
    try:
        answer = await asyncio.wait_for(_get(handler, path), 5)
    finally:
        sync_threads_urls.release.set()
    return answer, await slow


async def test_requests_one_after_another_reuse_the_same_thread_and_connection(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SYNC_THREADS": 2}
    handler = PooledASGIHandler()
    first = await _get(handler, "/who/")
    second = await _get(handler, "/who/")
    assert first["thread"].startswith("tidewire-sync-")
    assert second == first  # same thread (and on SQLite the same open connection)


async def test_a_request_waiting_on_one_thread_does_not_hold_up_the_next(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SYNC_THREADS": 2}
    quick, held = await _while_a_request_holds_a_thread(PooledASGIHandler(), "/who/")
    assert quick["thread"] != held["thread"]


async def test_async_views_answer_while_every_sync_thread_is_busy(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SYNC_THREADS": 1}
    alive, _ = await _while_a_request_holds_a_thread(PooledASGIHandler(), "/alive/")
    assert not alive["thread"].startswith("tidewire-sync-")  # on the event loop


def test_lending_picks_the_least_busy_thread_and_counts_returns():
    threads = SyncThreads(3)
    assert [threads.lend() for _ in range(4)] == [0, 1, 2, 0]
    threads.give_back(1)
    assert threads.lend() == 1
    with pytest.raises(ValueError):
        SyncThreads(0)
