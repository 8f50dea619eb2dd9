"""Logs of a real server process: JSON lines, with request and connection ids, and no secret."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
import websockets

PASSWORD = "tidewire-admin"  # the demo admin's (seed_demo)


def json_lines(text: str) -> list[dict]:
    return [orjson.loads(line) for line in text.splitlines() if line.startswith("{")]


async def test_json_lines_name_the_request_and_the_socket_and_hold_no_secret(embedded):
    server = embedded(LOG_FORMAT="json", LOG_LEVEL="INFO")
    async with httpx.AsyncClient(base_url=server.url) as http:
        login = {"username": "admin", "password": PASSWORD}
        tokens = (await http.post("/api/auth/token/", json=login)).json()
        await http.post("/api/auth/token/", json={**login, "password": "wrong!"})
        missing = await http.get("/api/nowhere/", headers={"X-Request-ID": "req-4b1d-7e57"})
        forged = await http.get("/api/nowhere/", headers={"X-Request-ID": "bad id; rm -rf"})
    assert missing.status_code == 404
    assert missing.headers["X-Request-ID"] == "req-4b1d-7e57"
    assert len(forged.headers["X-Request-ID"]) == 32  # replaced, not echoed

    ws = await websockets.connect(
        f"{server.ws_url}/ws/?token={tokens['access']}", origin=server.url
    )
    for _ in range(200):  # far past the frame limit: the server closes it, and says so
        await ws.send('{"type": "ping"}')
    with pytest.raises(websockets.ConnectionClosed):
        async with asyncio.timeout(5):
            while True:
                await ws.recv()
    await asyncio.sleep(0.5)
    server.stop()

    text = server.log_path.read_text()
    lines = json_lines(text)
    assert lines, text[-2000:]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    not_found = [line for line in lines if "Not Found: /api/nowhere/" in line["message"]]
    assert not_found and not_found[0]["request_id"] == "req-4b1d-7e57"
    flood = [line for line in lines if "too many frames" in line["message"]]
    assert flood and flood[0]["connection_id"]
    for secret in (PASSWORD, tokens["access"], tokens["refresh"], "wrong!"):
        assert secret not in text
