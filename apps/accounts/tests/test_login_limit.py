"""The login limit: POSTs that hash a password, per client address (TIDEWIRE_THROTTLE_LOGIN)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def login_rate(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def sign_up(browser, n):
    return browser.post(
        "/accounts/signup/",
        {
            "username": f"newbie{n}",
            "email": f"newbie{n}@example.com",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
        REMOTE_ADDR="10.0.7.1",
    )


@pytest.mark.usefixtures("login_rate")
def test_sign_ups_from_one_address_are_limited():
    statuses = [sign_up(Client(), n).status_code for n in range(3)]
    refused = sign_up(Client(), 3)
    assert statuses == [302, 302, 302]
    assert refused.status_code == 429
    seconds = int(refused["Retry-After"])
    assert 0 < seconds <= 20  # one sign-up's share of the minute
    assert f"retry in {seconds} seconds" in refused.content.decode()
    assert Client().get("/accounts/signup/").status_code == 200  # the form itself is not


@pytest.mark.usefixtures("login_rate")
def test_the_token_endpoint_shares_the_login_limit_and_answers_json(editor):
    def post():
        return APIClient().post(
            "/api/auth/token/",
            {"username": "editor", "password": "editor-pass-1"},
            format="json",
            REMOTE_ADDR="10.0.7.2",
        )

    assert [post().status_code for _ in range(3)] == [200, 200, 200]
    refused = post()
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "detail" in refused.json()
