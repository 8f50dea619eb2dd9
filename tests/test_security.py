"""Headers, rate limits and production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tidewire.testing.clients import bearer_client

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_an_inline_script():
    scripts = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            if "src=" not in tag:
                scripts.append((template.relative_to(ROOT), tag))
    assert scripts == []
    # json_script output is data, not script: it carries type="application/json".


def test_rest_rate_limit_per_user_trips_and_recovers(settings, editor, throttle_clock):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "ip": "100/min"},
    }
    api = bearer_client(editor)
    assert [api.get("/api/users/").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/api/users/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    throttle_clock[0] += 61
    assert api.get("/api/users/").status_code == 200


def test_rest_rate_limit_refills_evenly_and_keeps_one_number(settings, editor, throttle_clock):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "ip": "100/min"},
    }
    api = bearer_client(editor)
    assert [api.get("/api/users/").status_code for _ in range(4)] == [200, 200, 200, 429]
    throttle_clock[0] += 21  # one request's share of the minute has come back, not the whole minute
    assert [api.get("/api/users/").status_code for _ in range(2)] == [200, 429]
    # The state is one number per key, however many requests came.
    assert isinstance(cache.get(f"throttle_gcra_user_{editor.pk}"), float)


def test_rest_rate_limit_per_ip_applies_to_anonymous_callers(settings, throttle_clock):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100/min", "ip": "2/min"},
    }
    api = APIClient()
    statuses = [
        api.post("/api/auth/token/", {"username": "a", "password": "b"}, format="json").status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    throttle_clock[0] += 61
    assert api.post("/api/auth/token/", {}, format="json").status_code == 400


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "tidewire.example.com",
    }
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# Past DATA_UPLOAD_MAX_MEMORY_SIZE (2,621,440 bytes): every API endpoint answers 413 JSON.
THREE_MB = 3 * 1024 * 1024


def _too_large_json() -> str:
    return '{"first_name": "' + "x" * THREE_MB + '", "last_name": "y"}'


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/users/"), ("patch", "/api/users/1/"), ("post", "/api/auth/token/")],
)
def test_a_body_past_the_size_limit_is_413_json_naming_the_limit(api, method, path):
    response = api.generic(method.upper(), path, _too_large_json(), content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Request body too large: at most 2621440 bytes."}


def test_the_size_limit_follows_the_setting(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = '{"first_name": "' + "x" * 1_000 + '", "last_name": "y"}'
    response = api.generic("POST", "/api/users/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"] == "Request body too large: at most 1000 bytes."
