"""The container files cannot run here (no Docker engine): check them as far as a machine can.

nginx's own `nginx -t` on the shipped config, hadolint on the Dockerfile, and the
Dockerfile and compose.yaml kept in step with the settings they feed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"


def run(*command: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, **options)


def test_nginx_accepts_the_shipped_config(tmp_path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: `make system-deps` installs Debian's package")
    shutil.copy(ROOT / "deploy" / "nginx.conf", tmp_path / "nginx.conf")
    certs = tmp_path / "certs"  # where the config looks, beside itself (/etc/nginx/certs)
    certs.mkdir()
    made = run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=tidewire.test",
        "-keyout", str(certs / "tidewire.key"), "-out", str(certs / "tidewire.crt"),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    checked = run(NGINX, "-t", "-c", str(tmp_path / "nginx.conf"))
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_the_websocket_location_upgrades_and_outlives_the_pings():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    ws = conf[conf.index("location /ws/") :]
    ws = ws[: ws.index("}")]
    assert "proxy_set_header Upgrade $http_upgrade;" in ws
    assert "proxy_set_header Connection $connection_upgrade;" in ws
    timeout = int(re.search(r"proxy_read_timeout (\d+)s;", ws)[1])
    assert timeout > 20  # the page pings every 20 s
    directives = [line.split("#")[0] for line in conf.splitlines()]
    assert not any(re.search(r"\b(ip_hash|hash|sticky)\b", d) for d in directives)


def test_hadolint_passes_the_dockerfile():
    hadolint = shutil.which("hadolint") or str(Path(ROOT / ".venv" / "bin" / "hadolint"))
    linted = run(hadolint, str(ROOT / "Dockerfile"))
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_dockerfile_is_multi_stage_slim_locked_non_root_and_checks_health():
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(stages) >= 2
    assert stages[-1].endswith("-slim-bookworm")
    assert "--require-hashes -r /tmp/base.txt" in text
    assert "COPY requirements/base.txt" in text
    assert "collectstatic --noinput" in text
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*health/live", text, re.M)
    assert '"config.serve"' in text


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_two_web_processes_a_worker_a_beat_and_their_services():
    services = compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "nginx", "migrate"} <= set(services)
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["worker"]["command"][:3] == ["celery", "-A", "config"]
    assert "beat" in services["beat"]["command"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]


def test_compose_trusts_exactly_nginx_as_proxy():
    spec = compose()
    env = spec["services"]["web"]["environment"]
    nginx_address = spec["services"]["nginx"]["networks"]["tidewire"]["ipv4_address"]
    assert env["TIDEWIRE_TRUSTED_PROXIES"] == nginx_address


def test_every_variable_compose_sets_is_read_by_the_settings():
    from tidewire.conf import DEFAULTS
    from tidewire.serve import TRUSTED_PROXIES_VARIABLE

    settings_text = "\n".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    known = {f"TIDEWIRE_{name}" for name in DEFAULTS} | {
        "DJANGO_SETTINGS_MODULE",
        TRUSTED_PROXIES_VARIABLE,  # read by the server's launcher, tidewire/serve.py
    }
    for name in compose()["services"]["web"]["environment"]:
        assert name in known or f'"{name}"' in settings_text, f"{name} is read by nothing"


def test_production_lets_probes_and_scrapes_through_in_plain_http():
    """The production settings as a container loads them (a process of their own)."""
    import json
    import os
    import sys

    script = (
        "import json, re, config.settings.prod as p;"
        "print(json.dumps([p.SECURE_SSL_REDIRECT, p.SECURE_REDIRECT_EXEMPT, p.LOG_FORMAT]))"
    )
    env = {**os.environ, "SECRET_KEY": "x" * 50}
    env.pop("LOG_FORMAT", None)
    loaded = run(sys.executable, "-c", script, cwd=ROOT, env=env)
    assert loaded.returncode == 0, loaded.stderr
    redirect, patterns, log_format = json.loads(loaded.stdout)
    assert redirect is True and log_format == "json"
    exempt = [re.compile(pattern) for pattern in patterns]
    for path in ("health/live", "health/ready", "metrics"):
        assert any(pattern.search(path) for pattern in exempt), path
    assert not any(pattern.search("api/users/") for pattern in exempt)
