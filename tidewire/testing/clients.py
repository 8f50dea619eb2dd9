"""REST clients for tests, authenticated as an API user would be."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from .sockets import access_token


def bearer_client(user: Any) -> APIClient:
    """A REST client sending a fresh JWT access token of `user` as `Authorization: Bearer`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token(user)}")
    return client
