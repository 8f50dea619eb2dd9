"""PostgreSQL settings made from DATABASE_URL (config/settings/base.py), read in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READ = (
    "import json; from django.conf import settings; import django; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'options': db['OPTIONS'], 'checks': db['CONN_HEALTH_CHECKS']}))"
)


def database_settings(url: str, **env: str) -> dict:
    environment = {**os.environ, "DATABASE_URL": url, **env}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    out = subprocess.run(
        [sys.executable, "-c", READ], env=environment, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_pool_checks_connections_and_bounds_the_wait_for_one():
    """After a PostgreSQL restart no request gets a dead pooled connection; while it is down
    a request waits DATABASE_POOL_TIMEOUT (not psycopg_pool's 30 s) for its 503; and the
    pool does not back off for minutes before trying PostgreSQL again."""
    db = database_settings("postgres://u@db:5432/app", DATABASE_POOL_TIMEOUT="3")
    assert db["checks"] is True
    pool = {"min_size": 2, "max_size": 10, "timeout": 3.0, "reconnect_timeout": 5.0}
    assert db["options"]["pool"] == pool
    assert db["options"]["connect_timeout"] == 5


def test_the_urls_own_options_are_kept():
    db = database_settings("postgres://u@db:5432/app?sslmode=require")
    assert db["options"]["sslmode"] == "require" and "pool" in db["options"]
