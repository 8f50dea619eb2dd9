"""Seed 004's sockets through the real server (`python -m tidewire.serve`, as `make run`), with a
plain `websockets` client and JWTs from `POST /api/auth/token/`, as a seed client would."""

from __future__ import annotations

import asyncio
import base64
import re

import httpx
import orjson
import pytest
import websockets

from tidewire import close_codes

ADMIN = {"username": "admin", "password": "tidewire-admin"}  # demo accounts (seed_demo)
OWNER = {"username": "owner", "password": "tidewire-owner"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def token(server, account) -> str:
    return httpx.post(f"{server.url}/api/auth/token/", json=account).json()["access"]


def user_id(access: str) -> int:
    payload = access.split(".")[1]
    return orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["user_id"]


async def frame(ws) -> dict:
    return orjson.loads(await asyncio.wait_for(ws.recv(), 10))


async def close_code(server, path: str) -> int:
    ws = await websockets.connect(f"{server.ws_url}{path}", origin=server.url)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 10)
    return closed.value.rcvd.code


async def test_seed_004s_sockets_served(embedded):
    server = embedded()
    admin, owner = token(server, ADMIN), token(server, OWNER)
    dashboard = await websockets.connect(
        f"{server.ws_url}/ws/dashboard/?token={admin}", origin=server.url
    )
    await dashboard.send('{"type": "ping"}')
    assert await frame(dashboard) == {"type": "pong"}

    async with httpx.AsyncClient(
        base_url=server.url, headers={"Authorization": f"Bearer {admin}"}, timeout=10
    ) as http:
        created = await http.post(
            "/api/businesses/",
            json={"name": "Served Salon", "subdomain": "served-salon", "owner": user_id(owner)},
        )
        assert created.status_code == 201
        business = created.json()
        event = await frame(dashboard)
        assert set(event) == {"type", "payload", "timestamp"}
        assert event["type"] == "business_created"
        assert event["payload"] == {
            "business": {k: business[k] for k in ("id", "name", "subdomain")},
            "message": "New business 'Served Salon' created",
        }
        assert TIMESTAMP.match(event["timestamp"])

        # The owner follows their business; the reservation reaches both sockets.
        own = await websockets.connect(
            f"{server.ws_url}/ws/business/{business['id']}/?token={owner}", origin=server.url
        )
        await own.send('{"type": "ping"}')
        assert await frame(own) == {"type": "pong"}  # joined: the join comes before the accept
        booked = await http.post(
            "/api/reservations/",
            json={
                "business": business["id"],
                "customer_name": "Carla",
                "customer_email": "carla@example.com",
                "service": "Haircut",
                "starts_at": "2026-11-23T14:00:00Z",
            },
        )
        assert booked.status_code == 201
        for ws in (dashboard, own):
            event = await frame(ws)
            assert event["type"] == "reservation_created"
            assert event["payload"]["reservation"] == booked.json()
            assert event["payload"]["message"] == (
                "New reservation at 'Served Salon': Carla, Haircut on 2026-11-23 14:00"
            )

    assert await close_code(server, f"/ws/dashboard/?token={owner}") == close_codes.FORBIDDEN
    assert await close_code(server, "/ws/dashboard/") == close_codes.UNAUTHORIZED
    assert await close_code(server, "/ws/dashboard/?token=forged") == close_codes.UNAUTHORIZED
    await dashboard.close()
    await own.close()
