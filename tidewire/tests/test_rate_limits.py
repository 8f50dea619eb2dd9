import pytest

from tidewire import close_codes
from tidewire.rate_limits import FrameLimiter
from tidewire.testing.sockets import close_frame, open_socket


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_bucket_allows_a_burst_then_the_rate():
    clock = Clock()
    limiter = FrameLimiter(rate=2, burst=3, clock=clock)
    assert [limiter.take() for _ in range(3)] == [FrameLimiter.OK] * 3
    assert limiter.take() is FrameLimiter.WARN
    clock.now += 0.5  # one more token at 2 a second
    assert limiter.take() is FrameLimiter.OK


def test_a_client_that_keeps_pushing_is_cut_off():
    clock = Clock()
    limiter = FrameLimiter(rate=1, burst=2, clock=clock)
    limiter.take(), limiter.take()
    verdicts = [limiter.take() for _ in range(4)]
    assert verdicts == [FrameLimiter.WARN, FrameLimiter.DROP, FrameLimiter.CUT, FrameLimiter.CUT]


def test_a_pause_clears_the_record():
    clock = Clock()
    limiter = FrameLimiter(rate=1, burst=2, clock=clock)
    for _ in range(4):
        limiter.take()
    clock.now += 10
    assert limiter.take() is FrameLimiter.OK
    limiter.take()
    assert limiter.take() is FrameLimiter.WARN  # warned again, not cut


@pytest.mark.django_db(transaction=True)
async def test_socket_flood_gets_an_error_frame_then_4429(in_memory_layer, editor, settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SOCKET_FRAME_RATE": 1, "SOCKET_FRAME_BURST": 3}
    client, _, _ = await open_socket("/ws/", user=editor)
    for _ in range(3):
        await client.send_frame({"type": "ping"})
        assert (await client.frame())["type"] == "pong"
    await client.send_frame({"type": "ping"})
    error = await client.frame()
    assert (error["type"], error["code"]) == ("error", "rate_limited")
    for _ in range(4):
        await client.send_frame({"type": "ping"})
    close = await close_frame(client)
    assert close["code"] == close_codes.RATE_LIMITED
