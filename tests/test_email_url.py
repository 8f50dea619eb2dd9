"""EMAIL_URL as Django's SMTP settings (config/settings/email_url.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.email_url import email_settings


def test_plain_smtp():
    assert email_settings("smtp://127.0.0.1:1025") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": 1025,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
    }


def test_starttls_with_a_percent_encoded_login_and_the_submission_port():
    found = email_settings("smtp+tls://me%40example.com:p%2Fss%3Aword@mail.example.com")
    assert found["EMAIL_HOST"] == "mail.example.com"
    assert found["EMAIL_PORT"] == 587
    assert (found["EMAIL_HOST_USER"], found["EMAIL_HOST_PASSWORD"]) == (
        "me@example.com",
        "p/ss:word",
    )
    assert (found["EMAIL_USE_TLS"], found["EMAIL_USE_SSL"]) == (True, False)


def test_implicit_tls():
    found = email_settings("smtp+ssl://user:secret@mail.example.com")
    assert (found["EMAIL_PORT"], found["EMAIL_USE_TLS"], found["EMAIL_USE_SSL"]) == (
        465,
        False,
        True,
    )


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "mail.example.com:25"])
def test_anything_else_is_refused_at_start(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL must be"):
        email_settings(url)
