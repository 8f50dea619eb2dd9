"""Token logout for API clients: `POST /api/auth/logout/`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from . import services


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
