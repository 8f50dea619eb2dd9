"""Fixtures for tests that run real server processes on one PostgreSQL and Redis."""

from __future__ import annotations

import pytest
from django.db import connection

from tidewire.testing.servers import ServerProcess, ServerProcesses


@pytest.fixture
def database_url(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("several processes share one database only on PostgreSQL (make test uses it)")
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def servers(database_url, redis_server, tmp_path):
    """Start server processes on the shared database and Redis: `servers(**extra_env)`."""
    processes = ServerProcesses(tmp_path)

    def start(send_buffer: int | None = None, **extra_env: str) -> ServerProcess:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_server.url,
            "TIDEWIRE_RESYNC_INTERVAL": "0.2",
            "TIDEWIRE_THROTTLE_USER": "100000/min",
            "TIDEWIRE_THROTTLE_IP": "100000/min",
            **extra_env,
        }
        return processes.start(env=env, send_buffer=send_buffer)

    yield start
    processes.stop_all()


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API leaves an event loop marked running in the
    main thread while its browser stays open, and an async test after it cannot start."""
    items.sort(key=lambda item: "/e2e/" in str(item.path))
