"""Who is on a socket: a JWT from `?token=`, else the session cookie.

The outcome is put in the scope: `user` (AnonymousUser when neither works),
`auth_error` ("invalid" or "expired" for a token that was given but refused)
and `auth_expires_at` (the token's expiry, a UNIX time), which the consumer
uses to close the socket when the token runs out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken


def token_from_scope(scope: dict[str, Any]) -> str | None:
    """The `token` query parameter, if any."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get("token")
    return values[0] if values else None


@database_sync_to_async
def _user_for(user_id: Any) -> Any:
    user_model = get_user_model()
    try:
        user = user_model.objects.get(**{jwt_settings.USER_ID_FIELD: user_id})
    except user_model.DoesNotExist:
        return None
    return user if user.is_active else None


class TokenAuthMiddleware(BaseMiddleware):
    """Authenticate a socket by an access token in the query string, when one is given."""

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        token = token_from_scope(scope)
        if token is not None:
            scope["auth_via"] = "token"
            try:
                access = AccessToken(token)
            except TokenError as error:
                scope["user"] = AnonymousUser()
                scope["auth_error"] = "expired" if "expired" in str(error) else "invalid"
            else:
                user = await _user_for(access[jwt_settings.USER_ID_CLAIM])
                scope["user"] = user or AnonymousUser()
                if user is None:
                    scope["auth_error"] = "invalid"
                else:
                    scope["auth_expires_at"] = int(access["exp"])
        return await super().__call__(scope, receive, send)


def SocketAuthStack(inner):
    """Session auth (cookies) with a token taking precedence when one is given."""
    session_stack = AuthMiddlewareStack(inner)

    async def app(scope, receive, send):
        if token_from_scope(scope) is not None:
            return await TokenAuthMiddleware(inner)(scope, receive, send)
        scope = {**scope, "auth_via": "session"}
        return await session_stack(scope, receive, send)

    return app
