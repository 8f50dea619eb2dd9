"""Tokens and sockets end with a logout or a password change (issue: tokens outlived both)."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from rest_framework.test import APIClient

from tidewire import close_codes
from tidewire.testing.sockets import close_frame, open_socket

pytestmark = pytest.mark.django_db


def obtain(username="editor", password="editor-pass-1") -> dict:
    response = APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def reads_the_api(access: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/users/").status_code


def refresh(token: str):
    return APIClient().post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def logged_in_browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_refresh_token_works_once(editor):
    tokens = obtain()
    first = refresh(tokens["refresh"])
    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}  # rotated
    assert refresh(tokens["refresh"]).status_code == 401  # blacklisted after use
    assert refresh(first.json()["refresh"]).status_code == 200


def test_a_page_logout_ends_the_users_tokens(editor):
    tokens = obtain()
    assert reads_the_api(tokens["access"]) == 200
    browser = logged_in_browser(editor)
    assert browser.post("/accounts/logout/").status_code == 302
    assert reads_the_api(tokens["access"]) == 401
    assert refresh(tokens["refresh"]).status_code == 401
    assert reads_the_api(obtain()["access"]) == 200  # logging in again works


def test_token_logout_ends_access_and_refresh_tokens(editor):
    tokens = obtain()
    response = APIClient().post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 204
    assert reads_the_api(tokens["access"]) == 401
    assert refresh(tokens["refresh"]).status_code == 401


def test_token_logout_with_a_bearer_token_alone(editor):
    tokens = obtain()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.post("/api/auth/logout/", {}, format="json").status_code == 204
    assert reads_the_api(tokens["access"]) == 401


def test_token_logout_needs_a_token_naming_the_field():
    response = APIClient().post("/api/auth/logout/", {}, format="json")
    assert response.status_code == 400
    assert "refresh" in response.json()
    forged = APIClient().post("/api/auth/logout/", {"refresh": "forged"}, format="json")
    assert forged.status_code == 401


def test_a_password_change_ends_every_token(editor):
    tokens = obtain()
    browser = logged_in_browser(editor)
    response = browser.post(
        "/accounts/password/",
        {
            "old_password": "editor-pass-1",
            "new_password1": "a-new-passphrase-42",
            "new_password2": "a-new-passphrase-42",
        },
    )
    assert response.status_code == 302, response.content
    assert refresh(tokens["refresh"]).status_code == 401
    assert reads_the_api(tokens["access"]) == 401
    assert browser.get("/window1/").status_code == 200  # this browser stays logged in
    assert reads_the_api(obtain(password="a-new-passphrase-42")["access"]) == 200


def test_a_password_set_anywhere_ends_the_tokens(editor):
    tokens = obtain()
    editor.set_password("set-in-the-shell-77")  # admin, changepassword, a shell
    editor.save()
    assert reads_the_api(tokens["access"]) == 401
    assert refresh(tokens["refresh"]).status_code == 401


@pytest.mark.django_db(transaction=True)
async def test_a_logout_closes_the_users_token_and_session_sockets_at_once(
    in_memory_layer, editor, reader
):
    tokens = await database_sync_to_async(obtain)()
    token_socket, _, _ = await open_socket("/ws/", token=tokens["access"])
    browser = await database_sync_to_async(logged_in_browser)(editor)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    session_socket, _, _ = await open_socket("/ws/", headers=[(b"cookie", cookie)])
    others, _, _ = await open_socket("/ws/", user=reader)
    for socket in (token_socket, session_socket, others):
        await socket.send_frame({"type": "ping"})
        assert (await socket.frame())["type"] == "pong"

    await database_sync_to_async(browser.post)("/accounts/logout/")

    for socket in (token_socket, session_socket):
        close = await close_frame(socket)
        assert (close["code"], close["reason"]) == (close_codes.UNAUTHORIZED, "logged out")
    await others.send_frame({"type": "ping"})
    assert (await others.frame())["type"] == "pong"  # nobody else is touched
    reconnect, _, _ = await open_socket("/ws/", token=tokens["access"])
    assert (await close_frame(reconnect))["code"] == close_codes.UNAUTHORIZED  # revoked
    await others.disconnect()
