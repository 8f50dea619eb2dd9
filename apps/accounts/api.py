"""Token endpoints: obtain (429 with when to retry once locked out) and logout."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView

from . import services
from .lockouts import seconds_until_unlocked


class LoginLockedOut(Throttled):
    """429 for a locked-out login; DRF adds `Retry-After` from `wait`."""

    default_detail = "Too many failed logins for this username or from this address:"
    extra_detail_singular = "retry in {wait} second."
    extra_detail_plural = "retry in {wait} seconds."
    default_code = "locked_out"


class TokenObtainView(TokenObtainPairView):
    """`POST /api/auth/token/`: `{"username", "password"}` → `{"access", "refresh"}`.

    django-axes refuses a locked-out login before its password is checked, and
    SimpleJWT would answer that 401 like a wrong password; the client is told
    it is locked out, and for how long, instead.
    """

    throttle_scope = "login"  # tidewire.throttles.ScopedThrottle

    def post(self, request: Request, *args, **kwargs) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                credentials = getattr(request, "axes_credentials", None)
                raise LoginLockedOut(wait=seconds_until_unlocked(request, credentials)) from None
            raise


class LogoutInput(serializers.Serializer):
    refresh = serializers.CharField(required=False, help_text="The refresh token to end.")


class LogoutApi(APIView):
    """End every token of the user and close their sockets.

    Takes the refresh token in the body (`{"refresh": ...}`), so a client whose
    access token ran out can still log out, or a bearer access token alone.
    """

    permission_classes = [AllowAny]  # the refresh token in the body is the credential

    @extend_schema(
        request=LogoutInput,
        responses={
            204: None,
            400: inline_serializer("LogoutError", {"refresh": serializers.ListField()}),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = LogoutInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        raw = serializer.validated_data.get("refresh")
        if raw is not None:
            try:
                refresh = RefreshToken(raw)
            except TokenError as error:
                raise AuthenticationFailed(f"refresh: {error}") from None
            user = (
                get_user_model()
                .objects.filter(**{api_settings.USER_ID_FIELD: refresh[api_settings.USER_ID_CLAIM]})
                .first()
            )
        if user is None:
            raise serializers.ValidationError(
                {"refresh": ["Give the refresh token (or log out with a bearer access token)."]}
            )
        services.user_tokens_revoke(user=user, reason="logged out")
        return Response(status=status.HTTP_204_NO_CONTENT)
