"""`manage.py doctor` against real dependencies: a live Redis and SMTP server, stopped ones."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tidewire.doctor import run_checks
from tidewire.testing.redis_server import free_port

pytestmark = pytest.mark.django_db


def doctor() -> tuple[str, str]:
    """The command's output, and its error ("" when every check passed)."""
    out = StringIO()
    try:
        call_command("doctor", stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), ""


def use_redis(settings, url: str) -> None:
    from channels.layers import channel_layers

    settings.REDIS_URL = url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url]},
        }
    }
    channel_layers.backends.clear()


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def by_name(findings):
    return {finding.name: finding for finding in findings}


def test_with_redis_and_smtp_up_the_dependencies_pass(settings, redis_server, smtp):
    use_redis(settings, redis_server.url)
    use_smtp(settings, smtp.port)
    found = by_name(run_checks())
    for name in ("database", "redis", "channel layer", "email", "clock"):
        assert found[name].status == "ok", found[name]
    assert "migrations applied" in found["database"].detail
    assert "accepted a session" in found["email"].detail


def test_a_stopped_redis_is_named_with_the_fix(settings):
    use_redis(settings, f"redis://127.0.0.1:{free_port()}/0")
    out, error = doctor()
    assert "redis" in error and "channel layer" in error
    assert "FAIL  redis" in out and "start redis-server, or fix REDIS_URL" in out


def test_a_wrong_smtp_host_is_named_with_the_fix(settings):
    use_smtp(settings, free_port())  # nothing listens there
    out, error = doctor()
    assert "email" in error
    assert f"FAIL  email          SMTP 127.0.0.1:{settings.EMAIL_PORT}" in out
    assert "fix EMAIL_URL" in out


def test_a_celery_runner_without_workers_fails(settings, redis_server):
    use_redis(settings, redis_server.url)
    settings.TIDEWIRE = {**settings.TIDEWIRE, "JOB_RUNNER": "celery"}
    found = by_name(run_checks())
    assert found["jobs"].status == "fail"
    assert "no worker answered" in found["jobs"].detail


def test_deployment_settings_are_checked_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False  # check --deploy warns about it (security.W008)
    finding = by_name(run_checks())["settings"]
    assert finding.status == "fail"
    assert "security.W008" in finding.detail
