"""Fixtures shared by every test: a real Redis and a choice of channel layer."""

from __future__ import annotations

import pytest
from channels.layers import channel_layers

from tidewire.fanout import hub
from tidewire.testing.clock import FrozenClock
from tidewire.testing.redis_server import RedisServer
from tidewire.testing.servers import ServerProcess, ServerProcesses


def pytest_collection_modifyitems(config, items):
    """In the PostgreSQL pass, skip the tests that never touch its database: the browser
    tests and those on `embedded` serve the embedded default from a SQLite file of their
    own whatever DATABASE_URL says, so the SQLite pass (make test runs it first) ran
    exactly them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    same = pytest.mark.skip(reason="on its own SQLite server: the SQLite pass ran it")
    for item in items:
        if "/e2e/" in str(item.path) or "embedded" in getattr(item, "fixturenames", ()):
            item.add_marker(same)


@pytest.fixture(scope="session")
def redis_server():
    """A private redis-server for the whole run, on a free port."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def embedded(tmp_path):
    """Start a server on its own SQLite file, as make run does: `embedded(*uvicorn_args, **env)`."""
    processes = ServerProcesses(tmp_path)

    def start(*args: str, send_buffer: int | None = None, **env: str) -> ServerProcess:
        database = f"sqlite:///{tmp_path}/contract{len(processes.made)}.sqlite3"
        server = processes.new(
            env={"DATABASE_URL": database, **env}, args=list(args), send_buffer=send_buffer
        )
        server.manage("migrate", "--noinput")
        server.manage("seed_demo")
        server.start()
        return server

    yield start
    processes.stop_all()


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free port, keeping what it receives."""
    from tidewire.testing.smtp_inbox import SmtpInbox

    inbox = SmtpInbox()
    inbox.start()
    yield inbox
    inbox.stop()


@pytest.fixture
def clock(monkeypatch):
    """Time stands still for the test (django.utils.timezone.now) until `clock.advance(s)`."""
    from django.utils import timezone

    frozen = FrozenClock()
    monkeypatch.setattr(timezone, "now", frozen.now)
    return frozen


@pytest.fixture
def throttle_clock(monkeypatch):
    """The rate limits' clock, standing at `throttle_clock[0]` (move it by hand); counts cleared."""
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    now = [1_000_000.0]
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now[0])
    cache.clear()
    yield now
    cache.clear()


def _use_layer(settings, config: dict) -> None:
    settings.CHANNEL_LAYERS = {"default": config}
    channel_layers.backends.clear()
    hub.reset()


IN_MEMORY = {"BACKEND": "tidewire.layers.LocalLayer", "CONFIG": {"capacity": 10_000}}


@pytest.fixture
def in_memory_layer(settings):
    """The embedded default: one process, in-process channel layer."""
    _use_layer(settings, IN_MEMORY)
    yield
    _use_layer(settings, IN_MEMORY)


@pytest.fixture
def redis_layer(settings, redis_server):
    """The scale-out configuration: channels_redis on a real Redis server."""
    _use_layer(
        settings,
        {
            "BACKEND": "tidewire.layers.PubSubLayer",
            "CONFIG": {"hosts": [redis_server.url]},
        },
    )
    yield redis_server
    _use_layer(settings, IN_MEMORY)


@pytest.fixture(params=["in_memory", "redis"])
def any_layer(request):
    """Run a test once on each channel layer Tidewire supports."""
    request.getfixturevalue(f"{request.param}_layer")
    return request.param


@pytest.fixture(autouse=True)
def _no_rate_limit_counts():
    """Every test starts with no rate-limit counts (kept in the locmem cache).

    Tests log in a lot, all from 127.0.0.1: the login limit must not carry one
    test's logins into the next. (django-axes counts failed logins in the
    database, which every test gets fresh.)
    """
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def editor(db):
    """A logged-in person who may create, edit and delete records."""
    from django.contrib.auth.models import User

    from apps.accounts.services import user_grant_record_editing

    user = User.objects.create_user(username="editor", password="editor-pass-1")
    user_grant_record_editing(user=user)
    return user


@pytest.fixture
def reader(db):
    """A logged-in person without any record permission."""
    from django.contrib.auth.models import User

    return User.objects.create_user(username="reader", password="reader-pass-1")


@pytest.fixture
def api(editor):
    """A REST client authenticated as `editor` with a bearer token, as an API user would be."""
    from tidewire.testing.clients import bearer_client

    return bearer_client(editor)


@pytest.fixture
def client_for():
    """`client_for(user)`: a REST client with a bearer token for that user."""
    from tidewire.testing.clients import bearer_client

    return bearer_client


@pytest.fixture(scope="session", autouse=True)
def _close_database_connections(django_db_setup):
    """Close every connection to the test database before it is dropped.

    Database connections belong to threads: asgiref's shared sync thread (where
    database_sync_to_async and sync_to_async run ORM code) keeps its own after the
    tests, and PostgreSQL's pool keeps idle ones; either makes the drop fail
    ("being accessed by other users").
    """
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    from tidewire.sync_threads import close_sync_thread_connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)
    close_sync_thread_connections()
    connections.close_all()
    for connection in connections.all():
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()
