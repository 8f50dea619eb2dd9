"""Unsubscribe (RFC 8058): a signed link in every non-essential email, one click, no login."""

import pytest
from django.core import mail, signing
from django.test import Client

from apps.mailing import services
from apps.mailing.unsubscribe import SALT, unsubscribe_token, unsubscribe_url
from apps.notifications.selectors import preference_enabled

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost:8000")


@pytest.fixture
def browser():
    """No session, and CSRF checked as a real browser or mail provider meets it."""
    return Client(enforce_csrf_checks=True)


def test_a_non_essential_email_carries_the_one_click_headers(schedule, ada, clock, settings):
    settings.SITE_URL = "https://tidewire.example"
    schedule("note:1", clock.now())
    services.emails_send_due(now=clock.now())
    headers = mail.outbox[0].extra_headers
    token = unsubscribe_token(user_id=ada.pk, kind="test_mail_note")
    assert headers["List-Unsubscribe"] == (
        f"<https://tidewire.example/notifications/unsubscribe/{token}/>"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe" in mail.outbox[0].message().as_string()


def test_an_essential_email_has_no_unsubscribe(schedule, ada, clock):
    schedule("receipt:1", clock.now(), kind="test_mail_receipt")
    services.emails_send_due(now=clock.now())
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert unsubscribe_url(user_id=ada.pk, kind="test_mail_receipt") is None


def test_one_click_post_without_a_session_turns_the_emails_off(browser, ada, schedule, clock):
    url = path_of(unsubscribe_url(user_id=ada.pk, kind="test_mail_note"))
    response = browser.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert b"You will no longer get emails about test mail notes" in response.content
    assert not preference_enabled(user_id=ada.pk, kind="test_mail_note", channel="email")
    assert preference_enabled(user_id=ada.pk, kind="test_mail_note", channel="in_app")
    # The next email of that kind is not sent; twice is as good as once.
    assert browser.post(url).status_code == 200
    schedule("note:1", clock.now())
    assert services.emails_send_due(now=clock.now()) == {"cancelled": 1}
    assert mail.outbox == []


def test_the_link_opened_in_a_browser_asks_first(browser, ada):
    url = path_of(unsubscribe_url(user_id=ada.pk, kind="test_mail_note"))
    response = browser.get(url)
    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    assert b"Stop emails about test mail notes?" in response.content
    assert preference_enabled(user_id=ada.pk, kind="test_mail_note", channel="email")


@pytest.mark.parametrize(
    "token",
    [
        "tampered",
        # A good token with its user changed (the signature no longer matches).
        "replace-user",
        # Signed with the same key for another purpose (no salt).
        "other-salt",
    ],
)
def test_a_tampered_token_is_refused_400(browser, ada, token):
    good = unsubscribe_token(user_id=ada.pk, kind="test_mail_note")
    token = {
        "tampered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "replace-user": signing.Signer(salt=SALT).sign_object([ada.pk + 1, "test_mail_note"])[:-43]
        + good[-43:],
        "other-salt": signing.Signer().sign_object([ada.pk, "test_mail_note"]),
    }[token]
    for method in (browser.get, browser.post):
        response = method(f"/notifications/unsubscribe/{token}/")
        assert response.status_code == 400
        assert b"This unsubscribe link is not valid." in response.content
    assert preference_enabled(user_id=ada.pk, kind="test_mail_note", channel="email")


def test_an_essential_kind_cannot_be_turned_off(browser, ada):
    token = unsubscribe_token(user_id=ada.pk, kind="test_mail_receipt")  # never in an email
    response = browser.post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 400
    assert b"essential and cannot be turned off" in response.content
    assert preference_enabled(user_id=ada.pk, kind="test_mail_receipt", channel="email")


def test_a_link_of_a_deleted_account_is_404(browser, ada):
    url = path_of(unsubscribe_url(user_id=ada.pk, kind="test_mail_note"))
    ada.delete()
    assert browser.post(url).status_code == 404
