"""Who is on a socket: a JWT from `?token=`, else the session cookie.

`authenticate` puts the outcome in the scope: `user` (AnonymousUser when neither
works), `auth_via` ("token" or "session"), `auth_error` ("invalid" or "expired"
for a token that was given but refused) and `auth_expires_at` (the token's
expiry, a UNIX time), which the consumer uses to close the socket when the token
runs out. It runs in the consumer's connect (tidewire/sockets.py) rather than as
middleware, so nothing of it stays alive beside an open socket but the user.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.auth import get_user
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken


def token_from_scope(scope: dict[str, Any]) -> str | None:
    """The `token` query parameter, if any."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get("token")
    return values[0] if values else None


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


@database_sync_to_async
def _user_for(user_id: Any) -> Any:
    user_model = get_user_model()
    try:
        user = user_model.objects.get(**{jwt_settings.USER_ID_FIELD: user_id})
    except user_model.DoesNotExist:
        return None
    return user if user.is_active else None


async def _token_user(scope: dict[str, Any], token: str) -> None:
    scope["auth_via"] = "token"
    try:
        access = AccessToken(token)
    except TokenError as error:
        scope["user"] = AnonymousUser()
        scope["auth_error"] = "expired" if "expired" in str(error) else "invalid"
        return
    user = await _user_for(access[jwt_settings.USER_ID_CLAIM])
    scope["user"] = user or AnonymousUser()
    if user is None:
        scope["auth_error"] = "invalid"
    else:
        scope["auth_expires_at"] = int(access["exp"])


async def _session_user(scope: dict[str, Any]) -> None:
    """The user of the session cookie, as Channels' AuthMiddlewareStack finds it."""
    scope["auth_via"] = "session"
    session_key = parse_cookie(_header(scope, b"cookie")).get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        scope["user"] = AnonymousUser()
        return
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    # get_user checks the session's auth hash, so a changed password logs sockets out.
    scope["user"] = await get_user({"session": session})


async def authenticate(scope: dict[str, Any]) -> None:
    """Find the socket's user, a token taking precedence over the session cookie."""
    token = token_from_scope(scope)
    if token is not None:
        await _token_user(scope, token)
    else:
        await _session_user(scope)
