import pytest
from django.contrib.auth.models import User

from apps.accounts.demo import DEMO_ACCOUNTS
from apps.accounts.roles import Role, user_roles

pytestmark = pytest.mark.django_db


def test_login_form_logs_in_and_goes_where_asked(client, editor):
    response = client.post(
        "/accounts/login/",
        {"username": "editor", "password": "editor-pass-1", "next": "/window2/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/window2/"
    assert client.get("/window2/").status_code == 200


def test_wrong_password_shows_the_form_again_with_an_error(client, editor):
    response = client.post("/accounts/login/", {"username": "editor", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert client.get("/window1/").status_code == 302


def test_sign_up_creates_a_marketplace_user_who_can_read_but_not_edit(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user_roles(user) == {Role.MARKETPLACE_USER}
    assert not user.has_perm("records.change_userrecord")
    assert client.get("/window1/").status_code == 200  # logged in by sign-up


def test_sign_up_errors_name_the_field(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "x", "email": "not-an-email", "password1": "a", "password2": "b"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    assert "password2" in form.errors
    assert not User.objects.filter(username="x").exists()


def test_logout_is_a_post(client, editor):
    client.force_login(editor)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/window1/").status_code == 302


def test_password_change(client, editor):
    client.force_login(editor)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "editor-pass-1",
            "new_password1": "another-long-pass-77",
            "new_password2": "another-long-pass-77",
        },
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password("another-long-pass-77")


def test_login_page_lists_demo_accounts_only_in_development(client, settings):
    settings.TIDEWIRE_DEMO = True
    html = client.get("/accounts/login/").content.decode()
    for account in DEMO_ACCOUNTS:
        assert account.username in html and account.password in html
    settings.TIDEWIRE_DEMO = False
    html = client.get("/accounts/login/").content.decode()
    assert "demo-accounts" not in html
    assert DEMO_ACCOUNTS[0].password not in html


def _sign_up(client, **fields):
    return client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            **fields,
        },
    )


@pytest.mark.parametrize(
    ("email", "code_point"),
    [
        ('"a\x1bb"@example.com', "U+001B"),  # Django's EmailValidator accepts these two
        ('"a\x07"@example.com', "U+0007"),
        ("ann@exa\u202emple.com", "U+202E"),
        ("ann@ex\u200bample.com", "U+200B"),
    ],
)
def test_sign_up_refuses_an_email_with_hidden_characters(client, email, code_point):
    response = _sign_up(client, email=email)
    assert response.status_code == 200
    assert code_point in " ".join(response.context["form"].errors["email"])
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("username", ["ann\x1b", "ann\x07", "ann\u202e", "an\u200bn", "a\nb"])
def test_sign_up_refuses_a_username_with_hidden_characters(client, username):
    # Django's username validator (letters, digits and @.+-_ only) already does.
    response = _sign_up(client, username=username)
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not User.objects.exists()
