"""Forwarded headers are believed from the trusted proxies only: real uvicorn processes.

Each request below comes from 127.0.0.1 with an X-Forwarded-For of its own
choosing, as a client on the machine (or any client, with no proxy in front)
could send. The per-address limit is lowered to 3 a minute to see whom the
server counts. `POST /api/auth/token/` with no body answers 400 without a
database query or a password hash, after the limits are counted.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tidewire.serve import ProxyConfigError, proxy_options
from tidewire.testing.servers import ServerProcess, ServerProcesses

ROOT = Path(__file__).resolve().parent.parent
IP_LIMIT = 3  # requests a minute per client address, for these servers


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    """A migrated SQLite file the servers share (they only read it)."""
    workdir = tmp_path_factory.mktemp("proxies")
    url = f"sqlite:///{workdir}/proxies.sqlite3"
    ServerProcess(env={"DATABASE_URL": url}, log_path=workdir / "migrate.log").manage(
        "migrate", "--noinput"
    )
    return url


@pytest.fixture
def server(database, tmp_path):
    """Start a server with `server(**env)`; stopped after the test."""
    processes = ServerProcesses(tmp_path)

    def start(**env: str) -> ServerProcess:
        env = {"DATABASE_URL": database, "TIDEWIRE_THROTTLE_IP": f"{IP_LIMIT}/min", **env}
        return processes.start(env=env)

    yield start
    processes.stop_all()


def statuses(server: ServerProcess, forwarded_for: list[str]) -> list[int]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        return [
            client.post("/api/auth/token/", headers={"X-Forwarded-For": address}).status_code
            for address in forwarded_for
        ]


def test_without_trusted_proxies_a_new_x_forwarded_for_per_request_is_still_one_client(server):
    untrusting = server()  # TIDEWIRE_TRUSTED_PROXIES unset
    addresses = [f"203.0.113.{n}" for n in range(1, IP_LIMIT + 3)]
    assert statuses(untrusting, addresses) == [400] * IP_LIMIT + [429, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(server):
    proxied = server(TIDEWIRE_TRUSTED_PROXIES="127.0.0.1")
    # Five clients behind the proxy, more than one client's limit: each counted alone.
    assert statuses(proxied, [f"203.0.113.{n}" for n in range(1, 6)]) == [400] * 5
    # The first of them goes on: its own limit, not the proxy's, runs out.
    assert statuses(proxied, ["203.0.113.1"] * IP_LIMIT) == [400] * (IP_LIMIT - 1) + [429]


def test_proxy_options_trust_no_one_unless_told():
    assert proxy_options({}) == ["--no-proxy-headers"]
    assert proxy_options({"TIDEWIRE_TRUSTED_PROXIES": " "}) == ["--no-proxy-headers"]
    assert proxy_options({"TIDEWIRE_TRUSTED_PROXIES": "10.0.0.2, 172.16.0.0/12,::1"}) == [
        "--proxy-headers",
        "--forwarded-allow-ips",
        "10.0.0.2,172.16.0.0/12,::1",
    ]


@pytest.mark.parametrize("wrong", ["proxy.internal", "10.0.0.1/24", "[::1]", "*"])
def test_a_trusted_proxy_that_is_not_an_address_or_network_is_refused_by_name(wrong):
    with pytest.raises(ProxyConfigError, match=re.escape(f"{wrong!r} is not an IP address")):
        proxy_options({"TIDEWIRE_TRUSTED_PROXIES": f"10.0.0.2,{wrong}"})


@pytest.mark.parametrize("flag", ["--proxy-headers", "--forwarded-allow-ips=*"])
def test_serve_refuses_uvicorns_own_proxy_options(flag):
    result = subprocess.run(
        [sys.executable, "-m", "config.serve", flag],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "set TIDEWIRE_TRUSTED_PROXIES" in result.stderr
