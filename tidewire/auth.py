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
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie
from django.utils.module_loading import import_string
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from .conf import tidewire_setting


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


def _token_authentication() -> Any:
    """The project's DRF token authentication, so sockets refuse what the API refuses."""
    return import_string(tidewire_setting("TOKEN_AUTHENTICATION"))()


@database_sync_to_async
def _token_user(scope: dict[str, Any], token: str) -> None:
    """Validate the token and load its user as the REST API would (revocation included)."""
    scope["auth_via"] = "token"
    scope["user"] = AnonymousUser()
    authentication = _token_authentication()
    try:
        validated = authentication.get_validated_token(token.encode("latin-1"))
        user = authentication.get_user(validated)
    except (InvalidToken, TokenError, UnicodeEncodeError) as error:
        scope["auth_error"] = "expired" if "expired" in str(error).lower() else "invalid"
        return
    except AuthenticationFailed:  # unknown, inactive, or revoked (logout, password change)
        scope["auth_error"] = "invalid"
        return
    if not user.is_active:
        scope["auth_error"] = "invalid"
        return
    scope["user"] = user
    scope["auth_expires_at"] = int(validated["exp"])


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
