"""REST limits: the client address is REMOTE_ADDR; scoped limits for DRF and Django views."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from tidewire.throttles import IPThrottle, ScopedThrottle, throttle_posts


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_rates


def anonymous(method="post", path="/login/", **meta):
    request = getattr(RequestFactory(), method)(path, **meta)
    request.user = AnonymousUser()
    return request


def test_the_client_address_is_remote_addr_whatever_x_forwarded_for_says():
    throttle = IPThrottle()
    first = anonymous(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = anonymous(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2, 10.9.9.9")
    assert throttle.get_ident(first) == throttle.get_ident(second) == "10.0.0.1"


@pytest.mark.usefixtures("throttle_clock")
def test_a_scoped_limit_counts_per_address_for_views_that_name_the_scope(rates):
    rates(login="2/min")

    class LoginView:
        throttle_scope = "login"

    throttle = ScopedThrottle()
    at = [anonymous(REMOTE_ADDR="10.0.0.1") for _ in range(3)]
    assert [throttle.allow_request(request, LoginView) for request in at] == [True, True, False]
    assert 29 <= throttle.wait() <= 30  # one request's share of the minute
    assert throttle.allow_request(anonymous(REMOTE_ADDR="10.0.0.2"), LoginView)
    assert throttle.allow_request(anonymous(REMOTE_ADDR="10.0.0.1"), object)  # no scope


@pytest.mark.usefixtures("throttle_clock")
def test_a_scope_without_a_rate_is_not_limited(rates):
    rates()

    class View:
        throttle_scope = "login"

    assert all(ScopedThrottle().allow_request(anonymous(), View) for _ in range(10))


def test_throttle_posts_limits_a_django_views_posts_and_says_when_to_retry(rates, throttle_clock):
    rates(login="2/min")
    view = throttle_posts("login")(lambda request: HttpResponse("form"))
    assert view.throttle_scope == "login"
    statuses = [view(anonymous(REMOTE_ADDR="10.0.0.1")).status_code for _ in range(2)]
    refused = view(anonymous(REMOTE_ADDR="10.0.0.1"))
    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert refused.content.decode() == "Too many requests: retry in 30 seconds.\n"
    assert view(anonymous("get", REMOTE_ADDR="10.0.0.1")).status_code == 200  # GETs hash nothing
    throttle_clock[0] += 30
    assert view(anonymous(REMOTE_ADDR="10.0.0.1")).status_code == 200


@pytest.mark.usefixtures("throttle_clock")
def test_a_scoped_limit_counts_per_user_once_logged_in(rates):
    rates(login="2/min")

    class PasswordView:
        throttle_scope = "login"

    class Someone:
        pk = 7
        is_authenticated = True

    def from_address(address):
        request = anonymous(REMOTE_ADDR=address)
        request.user = Someone()
        return request

    throttle = ScopedThrottle()
    allowed = [throttle.allow_request(from_address(f"10.0.0.{n}"), PasswordView) for n in range(3)]
    assert allowed == [True, True, False]  # one person, whatever the address
    assert cache.get("throttle_gcra_login_user-7") is not None


@pytest.fixture
def redis_cache(settings, redis_server):
    """The default cache on the test run's real Redis, as with REDIS_URL; emptied after."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


@pytest.fixture
def sent_to_redis(monkeypatch):
    """Every command (or pipeline) sent to Redis from now on, as sent: one per round trip."""
    import redis

    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counted(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    return sent


def test_on_redis_a_limit_is_one_round_trip_and_says_when_to_retry(
    rates, redis_cache, sent_to_redis
):
    """One command sent per use (EVALSHA of the script), the arrival time kept as one number."""
    from tidewire.throttles import count_use

    assert count_use("warm", 1000.0, count=3, period=60) == (True, 0.0)  # the script loaded
    sent = sent_to_redis
    sent.clear()
    verdicts = [count_use("k", 1000.0, count=3, period=60) for _ in range(4)]
    assert verdicts[:3] == [(True, 0.0)] * 3
    allowed, wait = verdicts[3]
    assert not allowed and wait == pytest.approx(20.0)  # one place back every 20 s
    assert count_use("k", 1020.0, count=3, period=60) == (True, 0.0)
    assert len(sent) == 5
    assert all(b"EVALSHA" in b"".join(command) for command in sent)
    client = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_and_validate_key("k")
    assert float(client.get(key)) == pytest.approx(1020.0 + 60.0)  # full again 1 s later
    assert 0 < client.ttl(key) <= 60


def test_on_redis_concurrent_uses_never_take_more_than_the_limit(rates, redis_cache):
    """40 threads at once against 10/min: exactly 10 allowed (a read then a write raced)."""
    from concurrent.futures import ThreadPoolExecutor

    from tidewire.throttles import count_use

    with ThreadPoolExecutor(max_workers=40) as pool:
        verdicts = list(
            pool.map(lambda _: count_use("raced", 5000.0, count=10, period=60), range(40))
        )
    assert sum(allowed for allowed, _ in verdicts) == 10


def test_a_scoped_rest_limit_on_redis_refuses_past_the_rate(rates, redis_cache, throttle_clock):
    rates(login="2/min")

    class LoginView:
        throttle_scope = "login"

    verdicts = [ScopedThrottle().allow_request(anonymous(), LoginView) for _ in range(3)]
    assert verdicts == [True, True, False]
    throttle_clock[0] += 30  # one place refilled
    assert ScopedThrottle().allow_request(anonymous(), LoginView)


def test_on_redis_many_uses_are_one_round_trip_each_in_turn(rates, redis_cache, sent_to_redis):
    """A batch of chat sends: every sender's use counted in one pipeline, a repeated key
    seeing the uses before it."""
    from tidewire.throttles import count_uses

    assert count_uses(["warm"], 1000.0, count=2, period=60) == [(True, 0.0)]
    sent = sent_to_redis
    sent.clear()
    verdicts = count_uses(["a", "b", "a", "a"], 1000.0, count=2, period=60)
    assert [allowed for allowed, _ in verdicts] == [True, True, True, False]
    assert verdicts[3][1] == pytest.approx(30.0)
    assert len(sent) == 1
