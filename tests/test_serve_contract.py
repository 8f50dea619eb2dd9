"""The server as `python -m config.serve` runs it: frames take the direct-to-transport path.

If a dependency or an option change made uvicorn hand Tidewire another WebSocket
protocol, every frame would quietly go through ASGI send again (the fan-out's
speed gone, no other test failing). These tests start the real server on the
embedded default and check the path, the close codes and backpressure through it,
and that a fallback is said out loud, once.
"""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
import websockets

from apps.records.topics import USERS_TOPIC
from tidewire import close_codes
from tidewire.serve import WS_MAX_SIZE
from tidewire.testing.servers import ServerProcess
from tidewire.testing.stalled_client import StalledClient

FAST_PATH = "WebSocket frames are written straight to the server's transport"
FALLBACK = "WebSocket frames go through ASGI send"
EDITOR = {"username": "admin", "password": "tidewire-admin"}  # a demo account (seed_demo)


def token(server: ServerProcess) -> str:
    return httpx.post(f"{server.url}/api/auth/token/", json=EDITOR).json()["access"]


async def open_subscribed(server: ServerProcess, access: str):
    ws = await websockets.connect(
        f"{server.ws_url}/ws/?token={access}", origin=server.url, max_size=None
    )
    await ws.send(orjson.dumps({"type": "subscribe", "topic": USERS_TOPIC}).decode())
    assert orjson.loads(await ws.recv())["type"] == "subscribed"
    return ws


async def test_frames_take_the_fast_path_and_close_codes_work_through_it(embedded):
    server = embedded()
    ws = await open_subscribed(server, token(server))
    await ws.send('{"type":"ping","ref":1}')
    assert orjson.loads(await ws.recv()) == {"type": "pong", "ref": 1}
    log = server.log_tail(400)
    assert FAST_PATH in log and FALLBACK not in log

    # A close sent by the server after the handshake goes through the same writer.
    refused = await websockets.connect(f"{server.ws_url}/ws/?token=forged", origin=server.url)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await refused.recv()
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        close_codes.UNAUTHORIZED,
        "invalid token",
    )

    # A frame over the size limit closes the socket: 1009, message too big.
    await ws.send("x" * (WS_MAX_SIZE + 1))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 1009


async def test_a_slow_client_is_closed_4008_on_the_fast_path(embedded):
    server = embedded(send_buffer=4096, TIDEWIRE_SOCKET_BUFFER_LIMIT="16384")
    access = token(server)
    lazy = await asyncio.to_thread(
        StalledClient, f"{server.ws_url}/ws/?token={access}", origin=server.url
    )
    lazy.send_frame({"type": "subscribe", "topic": USERS_TOPIC})
    assert (await asyncio.to_thread(lazy.receive_frame))["type"] == "subscribed"
    async with httpx.AsyncClient(
        base_url=server.url, headers={"Authorization": f"Bearer {access}"}, timeout=10
    ) as http:
        record = (await http.get("/api/users/")).json()[0]["id"]
        for n in range(300):  # ~135 KB of events against 4 KB buffers and a 16 KB limit
            response = await http.patch(
                f"/api/users/{record}/", json={"first_name": f"{n:04d}" + "x" * 146}
            )
            assert response.status_code == 200
    _frames, code = await asyncio.to_thread(lazy.read_until_closed)
    lazy.close()
    assert code == close_codes.TOO_SLOW
    assert FAST_PATH in server.log_tail(400)


async def test_a_server_on_another_protocol_warns_once_and_still_works(embedded):
    server = embedded("--ws", "websockets")  # uvicorn's other implementation: no direct path
    access = token(server)
    first = await open_subscribed(server, access)
    second = await open_subscribed(server, access)
    for ws in (first, second):
        await ws.send('{"type":"ping"}')
        assert orjson.loads(await ws.recv())["type"] == "pong"
    log = server.log_tail(400)
    assert log.count(FALLBACK) == 1
    assert FAST_PATH not in log
    await first.close()
    await second.close()
