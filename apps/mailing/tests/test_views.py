"""Development's mailbox: what was sent, readable at /dev/mail/ by super admins, never in prod."""

import pytest
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import Resolver404, resolve

from apps.mailing.models import MailboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.urls("config.dev_urls")]

MAILBOX = "apps.mailing.backends.MailboxBackend"


@pytest.fixture
def sent():
    """One multipart email through the mailbox backend, HTML with a script in it."""
    message = EmailMultiAlternatives(
        subject="Hello <you>",
        body="Plain <b>text</b>",
        from_email="Tidewire <noreply@localhost>",
        to=["ada@example.com"],
        headers={"List-Unsubscribe": "<https://tidewire.example/u/>"},
        connection=get_connection(MAILBOX),
    )
    message.attach_alternative("<p>Hi</p><script>alert(1)</script>", "text/html")
    assert message.send() == 1
    return MailboxMessage.objects.get()


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser(username="root", password="root-pass-1")
    client.force_login(admin)
    return client


def test_the_backend_keeps_text_html_and_headers(sent):
    assert sent.to == "ada@example.com"
    assert sent.subject == "Hello <you>"
    assert sent.text == "Plain <b>text</b>"
    assert sent.html == "<p>Hi</p><script>alert(1)</script>"
    assert sent.headers == {"List-Unsubscribe": "<https://tidewire.example/u/>"}


def test_super_admins_read_the_list_and_each_email_escaped(admin_client, sent):
    listing = admin_client.get("/dev/mail/")
    assert listing.status_code == 200
    assert b"Hello &lt;you&gt;" in listing.content and b"ada@example.com" in listing.content
    page = admin_client.get(f"/dev/mail/{sent.pk}/")
    assert page.status_code == 200
    assert b"Plain &lt;b&gt;text&lt;/b&gt;" in page.content
    assert b"<script>alert" not in page.content  # the HTML is only in the sandboxed frame
    assert f'sandbox src="/dev/mail/{sent.pk}/html"'.encode() in page.content


def test_the_html_is_served_sandboxed_for_this_site_s_frame_only(admin_client, sent):
    response = admin_client.get(f"/dev/mail/{sent.pk}/html")
    assert response.status_code == 200
    assert response.content == b"<p>Hi</p><script>alert(1)</script>"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert "script-src" not in policy  # falls back to default-src 'none': no script runs
    assert "frame-ancestors 'self'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_only_super_admins_see_the_mailbox(client, sent):
    assert client.get("/dev/mail/").status_code == 302  # to the login page
    someone = User.objects.create_user(username="someone", password="someone-pass-1")
    client.force_login(someone)
    for path in ("/dev/mail/", f"/dev/mail/{sent.pk}/", f"/dev/mail/{sent.pk}/html"):
        assert client.get(path).status_code == 403


@pytest.mark.urls("config.urls")
def test_production_urls_have_no_mailbox():
    with pytest.raises(Resolver404):
        resolve("/dev/mail/")


def test_development_settings_keep_mail_in_the_mailbox_without_email_url():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "SECRET_KEY": "k" * 50}
    env.pop("EMAIL_URL", None)
    probe = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.ROOT_URLCONF)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout.split() == [MAILBOX, "config.dev_urls"]
    env["EMAIL_URL"] = "smtp://127.0.0.1:1025"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout.split()[0] == "django.core.mail.backends.smtp.EmailBackend"
