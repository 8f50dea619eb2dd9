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
