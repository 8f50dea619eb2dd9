"""Views that hash passwords run on the login threads: hashing never holds up the rest."""

import asyncio
import json

import pytest
from channels.testing import HttpCommunicator
from django.urls import resolve

from tidewire.sync_threads import LOGIN_THREADS_MARK, PooledASGIHandler
from tidewire.testing.sockets import access_token

from . import hashers

PASSWORD_VIEWS = [
    "/api/auth/token/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/",
    "/admin/login/",
]


@pytest.mark.parametrize("path", PASSWORD_VIEWS)
def test_every_view_that_hashes_a_password_is_on_the_login_threads(path):
    assert getattr(resolve(path).func, LOGIN_THREADS_MARK, False), path


@pytest.mark.parametrize("path", ["/api/users/", "/api/auth/token/refresh/", "/window1/"])
def test_other_views_stay_on_the_main_threads(path):
    assert not getattr(resolve(path).func, LOGIN_THREADS_MARK, False), path


async def _request(handler, method, path, *, body=b"", headers=()):
    communicator = HttpCommunicator(
        handler,
        method,
        path,
        body=body,
        headers=[
            (b"host", b"localhost"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
    )
    response = await communicator.get_response(timeout=15)
    await communicator.wait()
    return response


@pytest.mark.django_db(transaction=True)
async def test_an_api_get_answers_while_a_login_is_hashing_with_one_sync_thread(settings, editor):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SYNC_THREADS": 1, "LOGIN_THREADS": 1}
    settings.PASSWORD_HASHERS = [
        "apps.accounts.tests.hashers.HeldHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    handler = PooledASGIHandler()
    bearer = (b"authorization", f"Bearer {access_token(editor)}".encode())
    hashers.started.clear()
    hashers.release.clear()
    login = asyncio.ensure_future(
        _request(
            handler,
            "POST",
            "/api/auth/token/",
            body=json.dumps({"username": "nobody", "password": "a-guess"}).encode(),
        )
    )
    try:
        # The login is now hashing (Django hashes for unknown usernames too).
        assert await asyncio.to_thread(hashers.started.wait, 10)
        listing = await asyncio.wait_for(
            _request(handler, "GET", "/api/users/", headers=[bearer]), 5
        )
        assert listing["status"] == 200
        assert not login.done()  # answered while the hash was still going
    finally:
        hashers.release.set()
    assert (await login)["status"] == 401
