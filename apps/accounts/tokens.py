"""JWTs that end when their user logs out or changes password.

Refresh tokens are rotated and the old one blacklisted (SimpleJWT's blacklist
app); every token carries the user's token generation (`gen`) and the hash of
their password (SimpleJWT's CHECK_REVOKE_TOKEN): a logout moves the generation
on, a password change moves both, and `apps.accounts.services.user_tokens_revoke`
blacklists every outstanding refresh token besides. The API and the sockets
(tidewire.auth uses this class through TIDEWIRE["TOKEN_AUTHENTICATION"]) then
refuse the old tokens at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from tidewire.rest import StrictSerializer

from .models import TokenGeneration

# Three base64url parts joined by dots (the field is trimmed before it is matched).
JWT_SHAPE = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"

GENERATION_CLAIM = "gen"


def token_generation(user_id: Any) -> int:
    """The user's current token generation (0 until their first revocation)."""
    found = TokenGeneration.objects.filter(user_id=user_id).values_list("generation", flat=True)
    return found.first() or 0


class RevocableRefreshToken(RefreshToken):
    """A refresh token (and the access tokens it mints) stamped with the user's generation."""

    @classmethod
    def for_user(cls, user: Any) -> RevocableRefreshToken:
        token = super().for_user(user)
        token[GENERATION_CLAIM] = token_generation(user.pk)
        return token


def check_not_revoked(token: Token, user: Any) -> None:
    """Raise AuthenticationFailed for a token of an earlier generation or password."""
    if token.get(GENERATION_CLAIM, 0) != token_generation(user.pk):
        raise AuthenticationFailed("The token was revoked (logout).", code="token_revoked")
    claim = token.get(api_settings.REVOKE_TOKEN_CLAIM)
    if claim is not None and claim != get_md5_hash_password(user.password):
        raise AuthenticationFailed("The user's password has been changed.", code="password_changed")


class RevocableJWTAuthentication(JWTAuthentication):
    """SimpleJWT's bearer authentication that also refuses revoked tokens."""

    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)  # unknown, inactive, password changed
        check_not_revoked(validated_token, user)
        return user


class RevocableTokenObtainPairSerializer(TokenObtainPairSerializer):
    token_class = RevocableRefreshToken


class RevocableTokenRefreshSerializer(StrictSerializer, TokenRefreshSerializer):
    """Refresh, refusing a refresh token of an earlier generation or password (and a
    field other than `refresh`)."""

    # A JWT's shape (the schema shows it): anything else is a 400 naming `refresh`.
    refresh = serializers.RegexField(JWT_SHAPE, max_length=4096)

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = self.token_class(attrs["refresh"])  # signature, expiry, blacklist
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        if user is None:
            raise AuthenticationFailed("No active account found for the given token.")
        check_not_revoked(refresh, user)
        return super().validate(attrs)
