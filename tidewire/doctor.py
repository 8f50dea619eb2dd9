"""`manage.py doctor`: is this deployment able to run? Each dependency checked, with a fix.

Every check returns a `Finding`: ok, warn (works, but not as production should) or
fail (something a user would notice), a line saying what was found, and for a
failure what to do about it. The command prints them all and exits 1 on any failure.
"""

from __future__ import annotations

import asyncio
import io
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from .jobs import job_runner

TIMEOUT = 3.0  # seconds per network check: a healthy dependency answers in milliseconds
CLOCK_SKEW_MAX = 2.0  # seconds: tokens, offsets' timestamps and emails' due times assume less


@dataclass(frozen=True)
class Finding:
    name: str
    status: str  # "ok", "warn" or "fail"
    detail: str
    fix: str = ""


def _ok(name: str, detail: str) -> Finding:
    return Finding(name, "ok", detail)


def check_database() -> Finding:
    connection = connections[DEFAULT_DB_ALIAS]
    where = connection.settings_dict.get("NAME")
    if connection.vendor == "postgresql":
        host = connection.settings_dict.get("HOST") or "localhost"
        where = f"{host}:{connection.settings_dict.get('PORT') or 5432}/{where}"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)  # loads every migration: build it once
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return Finding(
            "database",
            "fail",
            f"{connection.vendor} at {where}: {error}".strip(),
            "check DATABASE_URL and that the database server runs and accepts this user",
        )
    if plan:
        return Finding(
            "database",
            "fail",
            f"{connection.vendor} at {where}: {len(plan)} migrations not applied",
            "run `python manage.py migrate`",
        )
    return _ok("database", f"{connection.vendor} at {where}, migrations applied")


def _redis_url_shown() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


def check_redis() -> Finding:
    if not settings.REDIS_URL:
        return Finding(
            "redis",
            "warn",
            "REDIS_URL not set: one process, in-process channel layer (the embedded default)",
            "set REDIS_URL to run several server processes (docs/deployment.md)",
        )
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
        )
        info = client.info("server")
        client.close()
    except Exception as error:
        return Finding(
            "redis",
            "fail",
            f"cannot reach {_redis_url_shown()}: {error}",
            "start redis-server, or fix REDIS_URL (host, port, password)",
        )
    return _ok("redis", f"Redis {info.get('redis_version')} at {_redis_url_shown()}")


async def _layer_round_trip() -> float:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    channel = await layer.new_channel()
    started = time.perf_counter()
    await layer.send(channel, {"type": "doctor.ping"})
    message = await asyncio.wait_for(layer.receive(channel), TIMEOUT)
    if message.get("type") != "doctor.ping":
        raise RuntimeError(f"received {message!r}")
    return time.perf_counter() - started


def check_channel_layer() -> Finding:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    try:
        took = asyncio.run(_layer_round_trip())
    except Exception as error:
        return Finding(
            "channel layer",
            "fail",
            f"{backend}: a message to itself did not come back ({error or type(error).__name__})",
            "check REDIS_URL and that Redis accepts PUBLISH/SUBSCRIBE",
        )
    return _ok("channel layer", f"{backend}: round trip in {took * 1000:.1f} ms")


def check_jobs() -> Finding:
    runner = job_runner()
    if runner != "celery":
        state = "each server process runs them" if runner == "embedded" else "nobody runs them"
        return Finding(
            "jobs",
            "ok" if runner == "embedded" else "warn",
            f"JOB_RUNNER={runner}: {state}",
        )
    from .celery_jobs import celery_app

    try:
        replies = celery_app(settings.REDIS_URL).control.ping(timeout=TIMEOUT)
    except Exception as error:
        return Finding(
            "jobs", "fail", f"Celery: {error}", "check REDIS_URL (the broker) and the workers"
        )
    if not replies:
        return Finding(
            "jobs",
            "fail",
            f"Celery: no worker answered within {TIMEOUT:.0f} s",
            "start one: `celery -A config worker` (and exactly one `celery -A config beat`)",
        )
    return _ok("jobs", f"Celery: {len(replies)} worker(s) answered")


def check_email() -> Finding:
    backend = settings.EMAIL_BACKEND
    if not backend.endswith("smtp.EmailBackend"):
        return Finding("email", "warn", f"{backend}: no SMTP server", "set EMAIL_URL in production")
    host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
    try:
        smtp_class = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
        with smtp_class(host, port, timeout=TIMEOUT) as smtp:
            smtp.ehlo()
            if settings.EMAIL_USE_TLS:
                smtp.starttls()
                smtp.ehlo()
            if settings.EMAIL_HOST_USER:
                smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
    except Exception as error:
        return Finding(
            "email",
            "fail",
            f"SMTP {host}:{port}: {error or type(error).__name__}",
            "fix EMAIL_URL (host, port, user, password, TLS) or start the mail server",
        )
    return _ok("email", f"SMTP {host}:{port} accepted a session")


def check_settings() -> Finding:
    if settings.DEBUG:
        return Finding(
            "settings",
            "warn",
            "DEBUG is on (development settings): deployment checks skipped",
            "use DJANGO_SETTINGS_MODULE=config.settings.prod in production",
        )
    out = io.StringIO()
    try:
        call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    except Exception as error:
        issues = [line for line in out.getvalue().splitlines() if line.startswith("?")]
        return Finding(
            "settings",
            "fail",
            f"`check --deploy`: {'; '.join(issues) or error}",
            "fix each issue named (docs/deployment.md lists the environment variables)",
        )
    return _ok("settings", "`check --deploy` found no issue")


def check_clock() -> Finding:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return _ok("clock", "the database runs in this process: one clock")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXTRACT(EPOCH FROM clock_timestamp())")
            theirs = float(cursor.fetchone()[0])
    except Exception as error:
        return Finding("clock", "fail", f"could not read the database's clock: {error}")
    skew = abs(time.time() - theirs)
    if skew > CLOCK_SKEW_MAX:
        return Finding(
            "clock",
            "fail",
            f"this machine and the database differ by {skew:.1f} s",
            "run NTP (chrony or systemd-timesyncd) on every machine",
        )
    return _ok("clock", f"within {skew * 1000:.0f} ms of the database's")


CHECKS: list[Callable[[], Finding]] = [
    check_database,
    check_redis,
    check_channel_layer,
    check_jobs,
    check_email,
    check_settings,
    check_clock,
]


def run_checks() -> list[Finding]:
    findings = []
    for check in CHECKS:
        try:
            findings.append(check())
        except Exception as error:  # a check that crashes is a failure, not a traceback
            findings.append(Finding(check.__name__.removeprefix("check_"), "fail", repr(error)))
    return findings
