"""Schemathesis against the project's own OpenAPI schema, from outside, as a client would.

A real server (uvicorn, PostgreSQL, Redis) with the demo data answers every generated
request; Schemathesis runs every check (no 5xx; every status, content type, header
and body documented and matching; schema-valid requests taken and schema-violating
ones refused; authentication and object access honoured) over its coverage, fuzzing
and stateful phases (create, read, update and delete chained through inferred links).
What a schema cannot say is in schemathesis.toml, each with its reason.
docs/reliability.md#1-generated-http-requests-schemathesis gives the figures.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tidewire.testing.servers import VENV_BIN, ServerProcesses

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
# Cases per operation and phase: about 2,500 requests over the 58 operations, a minute.
MAX_EXAMPLES = 20
SEED = 1  # the same cases every run: a failure here is reproducible


@pytest.fixture
def demo_server(database_url, redis_server, tmp_path):
    processes = ServerProcesses(tmp_path)
    server = processes.new(
        env={
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_server.url,
            # The run is one client sending thousands of requests: the limits would
            # answer most of them 429 and leave the logic behind them untested.
            "TIDEWIRE_THROTTLE_USER": "1000000/min",
            "TIDEWIRE_THROTTLE_IP": "1000000/min",
            "TIDEWIRE_THROTTLE_CHAT_SEND": "1000000/min",
            "TIDEWIRE_THROTTLE_LOGIN": "1000000/min",
            "JWT_ACCESS_MINUTES": "30",  # outlives the run
        }
    )
    server.manage("seed_demo")
    server.start()
    yield server
    processes.stop_all()


def token(server, username: str) -> str:
    response = httpx.post(
        f"{server.url}/api/auth/token/",
        json={"username": username, "password": f"tidewire-{username}"},
    )
    return response.json()["access"]


def schemathesis(
    server,
    access: str,
    workdir: Path,
    config: Path,
    mode: str = "all",
    phases: str = "examples,coverage,fuzzing,stateful",
    skip_checks: str | None = None,
) -> tuple[int, int]:
    """One run with every check; returns (requests, operations) or fails with the report."""
    result = subprocess.run(
        [
            str(VENV_BIN / "schemathesis"),
            "--config-file",
            str(config),
            "run",
            f"{server.url}/api/schema/",
            "--header",
            f"Authorization: Bearer {access}",
            "--checks",
            "all",
            *(["--exclude-checks", skip_checks] if skip_checks else []),
            "--phases",
            phases,
            # Logging out would end the run's own token.
            "--exclude-path",
            "/api/auth/logout/",
            "--mode",
            mode,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--no-color",
        ],
        # A directory of its own: Schemathesis keeps a cache of answers where it runs,
        # and one run must not replay another's (another user's) answers.
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin", "HOME": str(workdir)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, (
        " ".join(result.args[1:]) + report[report.find("FAILURES") :][:40000]
    )
    generated = re.search(r"(\d+) generated, (\d+) passed", report)
    tested = re.search(r"Tested: (\d+)", report)
    assert generated is not None and tested is not None, report[-5000:]
    return int(generated[1]), int(tested[1])


def test_every_operation_answers_as_its_schema_says(demo_server, tmp_path):
    """First the demo buyer, on their conversation and the listing it is about (the
    chat, offers and notifications the super admin takes no part in); then the super
    admin over every operation, deleting as it goes."""
    buyer, admin = token(demo_server, "buyer"), token(demo_server, "admin")
    conversation = httpx.get(
        f"{demo_server.url}/api/conversations/", headers={"Authorization": f"Bearer {buyer}"}
    ).json()[0]
    buyer_dir, admin_dir = tmp_path / "buyer", tmp_path / "admin"
    buyer_dir.mkdir()
    admin_dir.mkdir()
    config = buyer_dir / "schemathesis.toml"
    config.write_text(
        (ROOT / "schemathesis.toml")
        .read_text()
        .replace(
            "[parameters]\n",
            "[parameters]\n"
            f'"path.conversation_id" = {conversation["id"]}\n'
            f'"path.listing_id" = {conversation["listing"]["id"]}\n',
        )
    )
    # Valid requests only: with the ids pinned, a request meant to carry a bad id would
    # carry the good one (the coverage and stateful phases mutate ids whatever the
    # mode). The super admin's run tries the bad ones.
    buyer_requests, buyer_operations = schemathesis(
        demo_server,
        buyer,
        buyer_dir,
        config,
        mode="positive",
        phases="examples,fuzzing",
        skip_checks="negative_data_rejection",
    )
    admin_requests, admin_operations = schemathesis(
        demo_server, admin, admin_dir, ROOT / "schemathesis.toml"
    )
    assert buyer_requests + admin_requests >= 2000, "too few requests to mean anything"
    print(
        f"\nhardening figures: schemathesis {buyer_requests} requests as the buyer over "
        f"{buyer_operations} operations, {admin_requests} as the super admin over "
        f"{admin_operations}, 0 failures"
    )
