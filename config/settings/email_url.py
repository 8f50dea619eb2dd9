"""EMAIL_URL as Django's SMTP settings: `smtp://`, `smtp+tls://` (STARTTLS) or `smtp+ssl://`.

Twenty lines of our own rather than dj-email-url, whose last release was in 2022.
User and password are percent-decoded (`smtp+tls://me%40example.com:p%2Fss@host:587`).
"""

from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SCHEMES = {
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "smtp+ssl": (False, True, 465),
}


def email_settings(url: str) -> dict[str, object]:
    """The EMAIL_* settings an EMAIL_URL stands for; ImproperlyConfigured for any other URL."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL must be smtp://, smtp+tls:// or smtp+ssl://host[:port], not {url!r}"
        )
    use_tls, use_ssl, default_port = SCHEMES[parts.scheme]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }
