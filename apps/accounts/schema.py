"""OpenAPI: the revocable bearer authentication is documented as SimpleJWT's own."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class RevocableJWTScheme(SimpleJWTScheme):
    target_class = "apps.accounts.tokens.RevocableJWTAuthentication"
