"""Who may open a socket: tokens, sessions, expiry, origins."""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from rest_framework_simplejwt.tokens import AccessToken

from tidewire import close_codes
from tidewire.testing.sockets import close_frame, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

PATHS = ["/ws/", "/ws/user-updates/"]


@pytest.mark.parametrize("path", PATHS)
async def test_no_credentials_is_closed_4401(in_memory_layer, path):
    client, accepted, _ = await open_socket(path)
    assert accepted  # accepted first so the browser sees the code and reason
    close = await close_frame(client)
    assert (close["code"], close["reason"]) == (close_codes.UNAUTHORIZED, "authentication required")


@pytest.mark.parametrize("path", PATHS)
async def test_forged_token_is_closed_4401(in_memory_layer, path, editor):
    token = AccessToken.for_user(editor)
    forged = str(token)[:-4] + ("AAAA" if not str(token).endswith("AAAA") else "BBBB")
    client, _, _ = await open_socket(path, token=forged)
    close = await close_frame(client)
    assert (close["code"], close["reason"]) == (close_codes.UNAUTHORIZED, "invalid token")


async def test_token_signed_with_another_key_is_refused(in_memory_layer, editor, settings):
    token = AccessToken.for_user(editor)
    import jwt

    payload = jwt.decode(str(token), options={"verify_signature": False})
    other = jwt.encode(payload, "another-key-entirely-0123456789abcdef", algorithm="HS256")
    client, _, _ = await open_socket("/ws/", token=other)
    assert (await close_frame(client))["reason"] == "invalid token"


async def test_expired_token_is_closed_4401(in_memory_layer, editor):
    token = AccessToken.for_user(editor)
    token.set_exp(lifetime=-timedelta(seconds=1))
    client, _, _ = await open_socket("/ws/", token=str(token))
    close = await close_frame(client)
    assert (close["code"], close["reason"]) == (close_codes.UNAUTHORIZED, "token expired")


async def test_token_of_a_deactivated_user_is_refused(in_memory_layer, editor):
    token = str(AccessToken.for_user(editor))
    editor.is_active = False
    await sync_to_async(editor.save)()
    client, _, _ = await open_socket("/ws/", token=token)
    assert (await close_frame(client))["code"] == close_codes.UNAUTHORIZED


async def test_socket_is_closed_when_its_token_expires(in_memory_layer, editor):
    token = AccessToken.for_user(editor)
    token.set_exp(lifetime=timedelta(seconds=1))
    client, accepted, _ = await open_socket("/ws/", token=str(token))
    assert accepted
    await client.send_frame({"type": "ping"})
    assert (await client.frame())["type"] == "pong"  # alive while the token is valid
    await asyncio.sleep(1.2)
    close = await close_frame(client)
    assert (close["code"], close["reason"]) == (close_codes.UNAUTHORIZED, "token expired")


async def test_session_cookie_authenticates_a_socket(in_memory_layer, editor):
    session = SessionStore()
    session[SESSION_KEY] = str(editor.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = editor.get_session_auth_hash()
    await sync_to_async(session.save)()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()
    client, accepted, _ = await open_socket("/ws/", headers=[(b"cookie", cookie)])
    assert accepted
    await client.send_frame({"type": "subscribe", "topic": "records.users", "ref": "s"})
    assert (await client.frame())["type"] == "subscribed"
    await client.disconnect()


@pytest.mark.parametrize(
    "origin", [b"http://evil.example", b"http://127.0.0.1.evil.example", b"null"]
)
async def test_foreign_origins_are_refused_at_the_handshake(in_memory_layer, editor, origin):
    _, accepted, _ = await open_socket("/ws/", user=editor, origin=origin)
    assert not accepted


async def test_configured_extra_origin_is_allowed(in_memory_layer, editor, settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "ALLOWED_ORIGINS": ["https://app.example.com"]}
    _, accepted, _ = await open_socket("/ws/", user=editor, origin=b"https://app.example.com")
    assert accepted


SERVER_HOST = [(b"host", b"127.0.0.1:8020")]  # the handshake's Host: the server's own origin


@pytest.mark.parametrize(
    "origin",
    [
        b"http://127.0.0.1:9999",
        b"https://127.0.0.1:8020",
        b"https://localhost",
        b"http://LOCALHOST:8020",
    ],
)
async def test_another_port_scheme_or_host_is_another_origin(in_memory_layer, editor, origin):
    _, accepted, _ = await open_socket("/ws/", user=editor, origin=origin, headers=SERVER_HOST)
    assert not accepted


@pytest.mark.parametrize("origin", [b"http://127.0.0.1:8020", b"HTTP://127.0.0.1:8020"])
async def test_the_servers_own_origin_is_allowed(in_memory_layer, editor, origin):
    client, accepted, _ = await open_socket("/ws/", user=editor, origin=origin, headers=SERVER_HOST)
    assert accepted
    await client.disconnect()


async def test_a_host_outside_allowed_hosts_has_no_own_origin(in_memory_layer, editor):
    headers = [(b"host", b"evil.example")]
    _, accepted, _ = await open_socket(
        "/ws/", user=editor, origin=b"http://evil.example", headers=headers
    )
    assert not accepted


async def test_csrf_trusted_origins_are_allowed(in_memory_layer, editor, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.com:8443"]
    client, accepted, _ = await open_socket(
        "/ws/", user=editor, origin=b"https://app.example.com:8443"
    )
    assert accepted
    await client.disconnect()
    _, accepted, _ = await open_socket("/ws/", user=editor, origin=b"https://app.example.com")
    assert not accepted  # the port is part of the origin
