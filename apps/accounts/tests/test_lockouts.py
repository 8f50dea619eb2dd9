"""Password guessing: a username and a client address are each locked after 5 failures."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

COOL_OFF_SECONDS = 15 * 60  # AXES_COOLOFF_TIME's default (TIDEWIRE_LOGIN_COOLOFF_MINUTES)
LOCKOUT_LOGGER = "apps.accounts.lockouts"


def token(username, password, *, address="10.0.0.1", **headers):
    return APIClient().post(
        "/api/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


def test_the_token_endpoint_locks_a_username_out_after_five_failures(editor):
    statuses = [token("editor", f"guess-{n}").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 401]
    fifth = token("editor", "guess-4")
    assert fifth.status_code == 429
    assert COOL_OFF_SECONDS - 5 <= int(fifth["Retry-After"]) <= COOL_OFF_SECONDS
    detail = fifth.json()["detail"]
    assert f"retry in {fifth['Retry-After']} seconds" in detail
    refused = token("editor", "editor-pass-1")  # the right password: refused all the same
    assert refused.status_code == 429
    assert "access" not in refused.json()


def test_a_username_is_locked_whatever_address_the_guesses_come_from(editor):
    for n in range(5):
        token("editor", f"guess-{n}", address=f"10.0.1.{n}")
    assert token("editor", "editor-pass-1", address="10.0.2.1").status_code == 429
    assert token("reader", "reader-pass-1", address="10.0.2.2").status_code != 429


def test_an_address_is_locked_whatever_usernames_it_tries(editor):
    for n in range(5):
        token(f"someone-{n}", "guess", address="10.0.3.1")
    assert token("editor", "editor-pass-1", address="10.0.3.1").status_code == 429
    assert token("editor", "editor-pass-1", address="10.0.3.2").status_code == 200


def test_x_forwarded_for_does_not_give_a_guess_a_new_address(editor):
    for n in range(5):
        token(f"someone-{n}", "guess", address="10.0.4.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.4.1"}
    locked = token("editor", "editor-pass-1", address="10.0.4.1", HTTP_X_FORWARDED_FOR="192.0.2.9")
    assert locked.status_code == 429


def test_the_lock_lifts_when_the_failures_age_out_and_retry_after_says_when(editor):
    for n in range(5):
        token("editor", f"guess-{n}")
    # Ten minutes pass: the failures are that much older.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=10)
    )
    refused = token("editor", "editor-pass-1")
    assert refused.status_code == 429
    assert 5 * 60 - 5 <= int(refused["Retry-After"]) <= 5 * 60
    # Five more minutes: the lock is over, and refusals during it were not counted.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=5, seconds=1)
    )
    assert token("editor", "editor-pass-1").status_code == 200


def test_each_lockout_is_logged_with_its_username_and_address(editor, caplog):
    caplog.set_level(logging.INFO, logger=LOCKOUT_LOGGER)
    for n in range(5):
        token("editor", f"guess-{n}", address="10.0.5.1")
    started = [r for r in caplog.records if r.name == LOCKOUT_LOGGER]
    assert len(started) == 1
    assert started[0].levelno == logging.WARNING
    assert started[0].login_username == "editor"
    assert started[0].client_address == "10.0.5.1"
    assert started[0].locked_seconds == COOL_OFF_SECONDS
    assert "locked out after 5 failures" in started[0].getMessage()
    caplog.clear()
    token("editor", "editor-pass-1", address="10.0.5.1")
    refused = [r for r in caplog.records if r.name == LOCKOUT_LOGGER]
    assert [r.levelno for r in refused] == [logging.INFO]
    assert "login refused, locked out" in refused[0].getMessage()


@pytest.mark.parametrize(
    ("url", "password"), [("/accounts/login/", "editor-pass-1"), ("/admin/login/", "admin-pass-1")]
)
def test_login_forms_answer_a_lockout_with_a_page_saying_when_to_retry(url, password, editor):
    editor.is_staff = True  # the admin's login admits staff only
    editor.set_password(password)
    editor.save()
    browser = Client()
    for n in range(4):
        response = browser.post(url, {"username": "editor", "password": f"guess-{n}"})
        assert response.status_code == 200  # the form again, with its error
    locked = browser.post(url, {"username": "editor", "password": "guess-4"})
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("text/html")
    seconds = int(locked["Retry-After"])
    assert COOL_OFF_SECONDS - 5 <= seconds <= COOL_OFF_SECONDS
    page = locked.content.decode()
    assert "Too many failed logins" in page
    assert f"retry in {seconds} seconds" in page
    refused = browser.post(url, {"username": "editor", "password": password})
    assert refused.status_code == 429
    assert "_auth_user_id" not in browser.session


def test_failures_on_the_form_and_the_api_add_up(editor):
    browser = Client(REMOTE_ADDR="10.0.6.1")
    for n in range(3):
        browser.post("/accounts/login/", {"username": "editor", "password": f"guess-{n}"})
    token("editor", "guess-3", address="10.0.6.2")
    assert token("editor", "guess-4", address="10.0.6.3").status_code == 429


def test_a_few_typos_then_the_right_password_still_log_in(editor):
    for n in range(4):
        token("editor", f"typo-{n}")
    assert token("editor", "editor-pass-1").status_code == 200


def test_wrong_old_passwords_on_the_password_form_count_toward_the_lockout(client, editor):
    client.force_login(editor)  # a stolen session, say: it must not guess the password either

    def change(old_password):
        return client.post(
            "/accounts/password/",
            {
                "old_password": old_password,
                "new_password1": "taken-over-pass-99",
                "new_password2": "taken-over-pass-99",
            },
        )

    for n in range(4):
        wrong = change(f"guess-{n}")
        assert wrong.status_code == 200
        assert "old_password" in wrong.context["form"].errors
    assert change("guess-4").status_code == 429
    assert change("editor-pass-1").status_code == 429
    editor.refresh_from_db()
    assert editor.check_password("editor-pass-1")
