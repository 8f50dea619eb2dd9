"""Django's sync code on a few long-lived threads: reused, spread, one request per step."""

import asyncio
import json

import pytest
from channels.testing import HttpCommunicator

from tidewire import sync_threads
from tidewire.sync_threads import (
    LOGIN_THREADS_MARK,
    PooledASGIHandler,
    SyncThreads,
    on_login_threads,
)
from tidewire.tests import sync_threads_urls

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tidewire.tests.sync_threads_urls"),
]


@pytest.fixture(autouse=True)
def _own_sync_threads(monkeypatch):
    """Each test's handler gets threads sized by the test's SYNC_THREADS, not the process's
    (made by whichever earlier test ran sync code first: 1 thread on SQLite)."""
    monkeypatch.setattr(sync_threads, "_shared", None)
    yield
    sync_threads.close_sync_thread_connections()


async def _get(handler, path):
    communicator = HttpCommunicator(handler, "GET", path, headers=[(b"host", b"localhost")])
    response = await communicator.get_response(timeout=15)
    await communicator.wait()  # the request finishes: its connection is given back
    assert response["status"] == 200, response
    return json.loads(response["body"])


async def _while_a_request_holds_a_thread(handler, path, *, holder="/wait/"):
    """Get `path` while a `holder` request (/wait/) holds a sync thread; both answers."""
    sync_threads_urls.release.clear()
    slow = asyncio.ensure_future(_get(handler, holder))
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


async def test_a_login_view_holding_its_thread_does_not_hold_up_the_one_sync_thread(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SYNC_THREADS": 1, "LOGIN_THREADS": 1}
    quick, held = await _while_a_request_holds_a_thread(
        PooledASGIHandler(), "/who/", holder="/login/wait/"
    )
    assert held["thread"] == "tidewire-login-0_0"
    assert quick["thread"] == "tidewire-sync-0_0"


async def test_login_views_keep_their_threads_and_connections(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SYNC_THREADS": 1, "LOGIN_THREADS": 2}
    handler = PooledASGIHandler()
    first = await _get(handler, "/login/who/")
    assert first["thread"].startswith("tidewire-login-")
    assert await _get(handler, "/login/who/") == first


async def test_no_login_threads_means_login_views_share_the_sync_threads(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SYNC_THREADS": 1, "LOGIN_THREADS": 0}
    handler = PooledASGIHandler()
    assert (await _get(handler, "/login/who/"))["thread"] == "tidewire-sync-0_0"


def test_on_login_threads_keeps_the_view_and_its_attributes_and_refuses_async_views():
    def view(request, pk):
        return ("answered", pk)

    view.csrf_exempt = True
    marked = on_login_threads(view)
    assert getattr(marked, LOGIN_THREADS_MARK) is True
    assert marked.csrf_exempt is True
    assert marked(None, 7) == ("answered", 7)
    assert not hasattr(view, LOGIN_THREADS_MARK)
    with pytest.raises(TypeError, match="async"):
        on_login_threads(sync_threads_urls.alive)


def test_negative_login_threads_are_refused(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "LOGIN_THREADS": -1}
    with pytest.raises(ValueError, match="LOGIN_THREADS"):
        PooledASGIHandler()


def test_lending_picks_the_least_busy_thread_and_counts_returns():
    threads = SyncThreads(3)
    assert [threads.lend() for _ in range(4)] == [0, 1, 2, 0]
    threads.give_back(1)
    assert threads.lend() == 1
    with pytest.raises(ValueError):
        SyncThreads(0)
