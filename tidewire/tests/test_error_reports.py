"""Error pages never show a credential, even with DEBUG on (the development debug page)."""

import json
import sys

import pytest
from django.views.debug import technical_500_response
from rest_framework.test import APIClient
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from tidewire.error_reports import CredentialFilter

PASSWORD = "hunter2-correct-horse"
REFRESH = "eyJhbGciOiJIUzI1NiJ9.refresh-part.sig"


def _fail_while_holding_credentials(body: bytes) -> None:
    """Fail where locals hold the password: parsed, copied, in a serializer and in text."""
    payload = json.loads(body)
    password = payload["password"]
    attrs = {"username": payload["username"], "password": password, "refresh": REFRESH}
    serializer = TokenObtainPairSerializer(data=payload)
    text = body.decode()
    raise RuntimeError(f"{type(serializer).__name__} failed for {attrs['username']}: {text[:0]}")


def _debug_page(request) -> str:
    try:
        _fail_while_holding_credentials(request.body)
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()
    raise AssertionError("expected a failure")


def test_the_debug_page_shows_no_password_from_a_json_body_or_frame_locals(settings, rf):
    settings.DEBUG = True
    body = {"username": "ann", "password": PASSWORD, "refresh": REFRESH}
    request = rf.post("/api/auth/token/", data=body, content_type="application/json")

    page = _debug_page(request)

    assert "RuntimeError" in page  # the page is there, with its frames
    assert "_fail_while_holding_credentials" in page
    assert PASSWORD not in page
    assert REFRESH not in page
    assert CredentialFilter.cleansed_substitute in page
    assert "ann" in page  # what is not a credential still shows


def test_the_debug_page_shows_no_password_form_field_with_debug_on(settings, rf):
    settings.DEBUG = True
    request = rf.post(
        "/accounts/login/", {"username": "ann", "password": PASSWORD}, HTTP_ACCEPT="text/plain"
    )
    request.POST  # noqa: B018  (read, as a login view does)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        for accept in ("text/html", "text/plain"):
            request.META["HTTP_ACCEPT"] = accept
            page = technical_500_response(request, *sys.exc_info()).content.decode()
            assert "username" in page
            assert PASSWORD not in page


@pytest.mark.django_db
def test_a_failing_token_request_shows_no_password_on_the_debug_page(settings, monkeypatch):
    settings.DEBUG = True

    def failing_authenticate(request=None, **credentials):
        raise RuntimeError("the user store is down")

    monkeypatch.setattr("rest_framework_simplejwt.serializers.authenticate", failing_authenticate)
    client = APIClient(raise_request_exception=False)
    response = client.post(
        "/api/auth/token/",
        {"username": "ann", "password": PASSWORD},
        format="json",
        HTTP_ACCEPT="*/*",  # as fetch() sends: DRF answers JSON, Django's debug page HTML
    )
    page = response.content.decode()
    assert response.status_code == 500
    assert "the user store is down" in page
    assert PASSWORD not in page


@pytest.mark.parametrize(
    "text",
    [
        f'{{"username": "ann", "password": "{PASSWORD}"}}',
        f"{{'password': '{PASSWORD}', 'x': 1}}",
        f'Serializer(data={{"password": b"{PASSWORD}"}})',
        f"username=ann&password={PASSWORD}&next=/",
        f'{{"new_password1": "{PASSWORD}',  # cut short, as the page trims long values
        f'{{"access": "{PASSWORD}", "refresh": "{PASSWORD}"}}',
    ],
)
def test_credentials_are_cleansed_from_text(text):
    cleansed = CredentialFilter().cleanse_text(text)
    assert PASSWORD not in cleansed
    assert CredentialFilter.cleansed_substitute in cleansed


def test_cleansing_keeps_other_values_and_looks_inside_them():
    cleansed = CredentialFilter().cleanse_value(
        {"note": f"password={PASSWORD}", "user": {"name": "ann", "api_key": PASSWORD}, "n": [1]}
    )
    assert cleansed == {
        "note": f"password={CredentialFilter.cleansed_substitute}",
        "user": {"name": "ann", "api_key": CredentialFilter.cleansed_substitute},
        "n": [1],
    }


def test_cleansing_a_hostile_value_stays_bounded():
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    assert "nested too deep" in repr(CredentialFilter().cleanse_value(deep))
    long_word = "password" * 300_000  # no backtracking: this returns at once
    assert CredentialFilter().cleanse_text(long_word + ": x") == long_word + ": " + (
        CredentialFilter.cleansed_substitute
    )
