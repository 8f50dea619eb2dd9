import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_token_pair_for_good_credentials_and_refresh(editor):
    client = APIClient()
    response = client.post(
        "/api/auth/token/", {"username": "editor", "password": "editor-pass-1"}, format="json"
    )
    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.get("/api/users/").status_code == 200
    refreshed = APIClient().post(
        "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200
    assert "access" in refreshed.json()


def test_bad_credentials_are_401(editor):
    response = APIClient().post(
        "/api/auth/token/", {"username": "editor", "password": "wrong"}, format="json"
    )
    assert response.status_code == 401


def test_missing_fields_are_400_naming_them():
    response = APIClient().post("/api/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert {"username", "password"} <= set(response.json())


def test_garbage_bearer_token_is_401(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get("/api/users/").status_code == 401


def test_a_body_nested_50000_levels_deep_is_400_naming_the_problem():
    body = "[" * 50_000 + "]" * 50_000
    response = APIClient().generic(
        "POST", "/api/auth/token/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.json()["detail"]


@pytest.mark.parametrize("body", ["[]", '"editor"', "42", "null", "true"])
def test_a_body_that_is_not_an_object_is_400(editor, body):
    response = APIClient().generic(
        "POST", "/api/auth/token/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_an_integer_past_64_bits_is_400_naming_the_problem():
    body = '{"username": 18446744073709551616, "password": "x"}'
    response = APIClient().generic(
        "POST", "/api/auth/token/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "integer is out of range" in response.json()["detail"]
