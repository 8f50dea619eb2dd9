"""GET /metrics of a real server under real traffic: each named metric moves."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from apps.records.topics import USERS_TOPIC
from tidewire import close_codes
from tidewire.testing.stalled_client import StalledClient

EDITOR = {"username": "admin", "password": "tidewire-admin"}  # a demo account (seed_demo)


def samples(text: str) -> dict[tuple, float]:
    """Every sample as {(name, (sorted labels)): value}."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def subscribe(server, access: str, **frame):
    ws = await websockets.connect(f"{server.ws_url}/ws/?token={access}", origin=server.url)
    await ws.send(orjson.dumps({"type": "subscribe", "topic": USERS_TOPIC, **frame}).decode())
    frames = []
    while not frames or frames[-1]["type"] != "subscribed":
        frames.append(orjson.loads(await asyncio.wait_for(ws.recv(), 5)))
    return ws, frames


async def test_real_traffic_moves_every_metric(embedded):
    server = embedded(
        send_buffer=4096, TIDEWIRE_SOCKET_BUFFER_LIMIT="16384", TIDEWIRE_MAX_REPLAY_EVENTS="1"
    )
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        access = (await http.post("/api/auth/token/", json=EDITOR)).json()["access"]
        http.headers["Authorization"] = f"Bearer {access}"
        before = samples((await http.get("/metrics")).text)

        live, _ = await subscribe(server, access)
        record = (await http.get("/api/users/")).json()[0]["id"]
        for n in range(3):
            response = await http.patch(f"/api/users/{record}/", json={"first_name": f"N{n}"})
            assert response.status_code == 200
        for _ in range(3):
            assert orjson.loads(await asyncio.wait_for(live.recv(), 5))["type"] == "event"
        offset = (await http.get("/api/users/")).headers.get("Tidewire-Offset")
        current = int(offset) if offset else None
        assert current is not None
        resumed, frames = await subscribe(server, access, offset=current - 1)
        assert [f["type"] for f in frames] == ["event", "subscribed"]
        reset, frames = await subscribe(server, access, offset=0)
        assert frames[0]["type"] == "reset"
        during = samples((await http.get("/metrics")).text)

        # A client that stops reading is closed 4008; one that floods frames, 4429.
        lazy = await asyncio.to_thread(
            StalledClient, f"{server.ws_url}/ws/?token={access}", origin=server.url
        )
        lazy.send_frame({"type": "subscribe", "topic": USERS_TOPIC})
        assert (await asyncio.to_thread(lazy.receive_frame))["type"] == "subscribed"
        for n in range(300):
            await http.patch(f"/api/users/{record}/", json={"first_name": f"{n:04d}" + "x" * 146})
        _frames, code = await asyncio.to_thread(lazy.read_until_closed)
        lazy.close()
        assert code == close_codes.TOO_SLOW
        flood = await websockets.connect(f"{server.ws_url}/ws/?token={access}", origin=server.url)
        for _ in range(200):
            await flood.send('{"type": "ping"}')
        with pytest.raises(websockets.ConnectionClosed):
            async with asyncio.timeout(5):
                while True:
                    await flood.recv()
        for ws in (live, resumed, reset):
            await ws.close()
        await asyncio.sleep(0.3)
        after = samples((await http.get("/metrics")).text)

    family = {"family": USERS_TOPIC}
    assert value(during, "tidewire_sockets_open") >= 3
    assert value(during, "tidewire_subscriptions", **family) >= 3
    assert value(after, "tidewire_sockets_open") == value(before, "tidewire_sockets_open")
    published = "tidewire_events_published_total"
    assert value(after, published, **family) - value(before, published, **family) >= 303
    assert (
        value(after, "tidewire_deliveries_total") - value(before, "tidewire_deliveries_total")
        >= 303
    )
    latency = "tidewire_delivery_latency_seconds_count"
    assert value(after, latency) - value(before, latency) >= 303
    assert value(after, "tidewire_resumes_total") - value(before, "tidewire_resumes_total") == 1
    assert value(after, "tidewire_resets_total") - value(before, "tidewire_resets_total") == 1
    closes = "tidewire_socket_closes_total"
    assert value(after, closes, code="4008") - value(before, closes, code="4008") == 1
    assert value(after, closes, code="4429") - value(before, closes, code="4429") == 1
    limited = "tidewire_rate_limited_total"
    assert value(after, limited, scope="socket_frames") > 0
    route = {"route": "/api/users/<id:record_id>/", "method": "PATCH", "status": "2xx"}
    http_count = "tidewire_http_request_duration_seconds_count"
    assert value(after, http_count, **route) - value(before, http_count, **route) == 303


@pytest.fixture
def closed_metrics(settings):
    settings.TIDEWIRE = {
        **settings.TIDEWIRE,
        "METRICS_PUBLIC": "no",
        "METRICS_TOKEN": "s3cret-scrape-token",
        "METRICS_ALLOW": ["10.0.0.0/8"],
    }


def test_production_metrics_need_the_token_or_an_allowed_network(client, closed_metrics):
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 403
    good = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
    assert good.status_code == 200 and b"tidewire_sockets_open" in good.content
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_production_settings_close_metrics_by_default():
    from tidewire.conf import DEFAULTS

    assert DEFAULTS["METRICS_PUBLIC"] == "no" and DEFAULTS["METRICS_TOKEN"] == ""


def test_the_celery_queue_length_is_read_at_each_scrape(settings, redis_server, client):
    import redis

    from tidewire.metrics_view import CeleryQueueCollector

    settings.REDIS_URL = redis_server.url
    settings.TIDEWIRE = {**settings.TIDEWIRE, "JOB_RUNNER": "celery"}
    queue = redis.Redis.from_url(redis_server.url)
    queue.delete("celery")
    queue.rpush("celery", "task-1", "task-2")
    try:
        [family] = CeleryQueueCollector().collect()
        assert family.name == "tidewire_celery_queue_length"
        assert family.samples[0].value == 2
        scraped = samples(client.get("/metrics").content.decode())
        assert value(scraped, "tidewire_celery_queue_length") == 2
    finally:
        queue.delete("celery")
        queue.close()


async def test_several_processes_add_up_in_multiprocess_mode(servers, editor, tmp_path):
    """Two server processes sharing PROMETHEUS_MULTIPROC_DIR: either one's /metrics counts
    the sockets of both."""
    from asgiref.sync import sync_to_async

    from tidewire.testing.sockets import access_token

    shared = tmp_path / "prometheus"
    shared.mkdir()
    first, second = (servers(PROMETHEUS_MULTIPROC_DIR=str(shared)) for _ in range(2))
    access = await sync_to_async(access_token)(editor)
    sockets = [
        await websockets.connect(f"{server.ws_url}/ws/?token={access}", origin=server.url)
        for server in (first, second)
    ]
    for ws in sockets:  # each socket answers: both are open and counted
        await ws.send('{"type": "ping"}')
        assert orjson.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "pong"
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{first.url}/metrics")).text
    assert value(samples(text), "tidewire_sockets_open") == 2
    for ws in sockets:
        await ws.close()
