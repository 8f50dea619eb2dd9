"""Attacks on sessions and sockets: CSRF on every session write, tokens used after a logout
or a password change, and a socket-open flood from one address. Each is refused with its
documented answer, logged, and changes nothing.

One command: `.venv/bin/pytest tests/hardening/test_attacks_sessions.py`.
"""

from __future__ import annotations

import logging

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from rest_framework.test import APIClient

from tidewire import close_codes
from tidewire.testing.routes import all_routes, concrete, is_api, methods_of
from tidewire.testing.sockets import close_frame, open_socket

from .socket_world import unchanged_rows

# Writes that need no CSRF token, each with why.
CSRF_EXEMPT = {
    # A mail provider's one-click POST (RFC 8058) has no token; the signed link is the
    # credential (docs/security.md).
    "/notifications/unsubscribe/1/",
    # Take credentials in the body and set no cookie: a session is not what they use,
    # and their answer (tokens) is in a body another site cannot read.
    "/api/auth/token/",
    "/api/auth/token/refresh/",
    # The JSON 404 for any other /api/ path: it writes nothing (tidewire.rest_errors).
    "/^api/",
}
WRITES = ("post", "put", "patch", "delete")


@pytest.mark.django_db
def test_every_session_write_without_the_csrf_token_is_403_and_logged(
    in_memory_layer, caplog, hardening_report
):
    """A super admin's session (so no permission check answers first) posts to every page
    and every API write without the CSRF token: 403 from the CSRF check on each (the API
    says "CSRF Failed"), every refusal logged, nothing stored."""
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser(username="root", password="x")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    before = unchanged_rows()
    tried = 0
    with caplog.at_level(logging.WARNING):
        for route, callback, _ in all_routes():
            url = concrete(route)
            if url in CSRF_EXEMPT:
                continue
            methods = (
                [m for m in methods_of(callback) if m in WRITES] if is_api(callback) else ["post"]
            )
            for method in methods:
                response = getattr(browser, method)(url, {}, content_type="application/json")
                assert response.status_code == 403, (method, url, response.status_code)
                if is_api(callback):
                    assert response.json()["detail"].startswith("CSRF Failed"), url
                tried += 1
    assert unchanged_rows() == before
    logged = [r for r in caplog.records if r.getMessage().startswith("Forbidden")]
    assert len(logged) == tried
    hardening_report.count("CSRF writes refused (403)", tried)


def _obtain(username: str, password: str) -> dict:
    response = APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _logout_api(user, tokens):
    APIClient().post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")


def _logout_page(user, tokens):
    browser = Client()
    browser.force_login(user)
    browser.post("/accounts/logout/")


def _password_change(user, tokens):
    user.set_password("a-new-password-9")
    user.save()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "revoke",
    [_logout_api, _logout_page, _password_change],
    ids=["api-logout", "page-logout", "password-change"],
)
async def test_tokens_after_a_logout_or_a_password_change_are_refused_everywhere(
    in_memory_layer, editor, revoke, caplog, hardening_report
):
    """After each way a user's tokens end: the open socket is closed 4401 with the reason,
    the access token gets 401 from the API and 4401 on a new socket (logged), and the
    refresh token is refused."""
    tokens = await database_sync_to_async(_obtain)("editor", "editor-pass-1")
    socket, _, _ = await open_socket("/ws/", token=tokens["access"])
    await database_sync_to_async(revoke)(editor, tokens)
    close = await close_frame(socket)
    assert close["code"] == close_codes.UNAUTHORIZED
    assert close["reason"] in ("logged out", "password changed")

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert (await database_sync_to_async(api.get)("/api/users/")).status_code == 401
    refresh = await database_sync_to_async(APIClient().post)(
        "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refresh.status_code == 401
    with caplog.at_level(logging.WARNING, logger="tidewire.sockets"):
        again, _, _ = await open_socket("/ws/", token=tokens["access"])
        close = await close_frame(again)
    assert (close["code"], close["reason"]) == (close_codes.UNAUTHORIZED, "invalid token")
    assert "refusing a socket from unknown: invalid token" in caplog.text  # in-process: no address
    hardening_report.count("revoked tokens refused (REST, refresh, socket)", 3)


@pytest.mark.django_db(transaction=True)
async def test_a_socket_open_flood_from_one_address_is_capped_and_others_are_served(
    in_memory_layer, settings, django_user_model, caplog, hardening_report
):
    """60 sockets opened from one address with a cap of 20: the 21st on are closed 4429
    "too many open sockets from this address" (logged); a client from another address is
    served, and closing the flood gives every place back."""
    settings.TIDEWIRE = {**settings.TIDEWIRE, "MAX_SOCKETS_PER_ADDRESS": 20}
    flooder = await django_user_model.objects.acreate(username="flooder")
    other = await django_user_model.objects.acreate(username="other")
    opened, refused = [], 0
    with caplog.at_level(logging.WARNING, logger="tidewire.sockets"):
        for _ in range(60):
            client, _, _ = await open_socket("/ws/", user=flooder)
            if len(opened) < 20:
                opened.append(client)
                continue
            close = await close_frame(client)
            assert (close["code"], close["reason"]) == (
                close_codes.RATE_LIMITED,
                "too many open sockets from this address",
            )
            refused += 1
    assert caplog.text.count("too many open sockets from this address") == refused == 40
    elsewhere, _, _ = await open_socket("/ws/", user=other, address="10.0.0.9")
    await elsewhere.send_frame({"type": "ping"})
    assert (await elsewhere.frame())["type"] == "pong"
    for client in opened:
        await client.disconnect()
    again, _, _ = await open_socket("/ws/", user=flooder)
    await again.send_frame({"type": "ping"})
    assert (await again.frame())["type"] == "pong"
    await again.disconnect()
    await elsewhere.disconnect()
    hardening_report.count("socket opens refused (4429)", refused)
