"""The token endpoint: SimpleJWT's, answering 429 with when to retry once a login is locked out."""

from __future__ import annotations

from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView

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
