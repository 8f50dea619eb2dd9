"""Reading needs a login; writing needs the record permission; session writes need CSRF."""

import pytest
from django.test import Client

from apps.records import services
from apps.records.models import UserRecord
from apps.records.topics import USERS_TOPIC
from tidewire.testing.clients import bearer_client
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return services.user_record_create(first_name="Ada", last_name="Lovelace")


@pytest.fixture
def reader_api(reader):
    return bearer_client(reader)


def test_a_reader_may_read(reader_api, record):
    assert reader_api.get("/api/users/").status_code == 200
    assert reader_api.get(f"/api/users/{record.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/users/", {"first_name": "X", "last_name": "Y"}),
        ("patch", "/api/users/{pk}/", {"first_name": "X"}),
        ("delete", "/api/users/{pk}/", None),
    ],
)
def test_a_reader_may_not_write_and_nothing_changes(reader_api, record, method, path, body):
    before = len(events_after(USERS_TOPIC))
    response = getattr(reader_api, method)(path.format(pk=record.pk), body, format="json")
    assert response.status_code == 403
    assert "permission" in response.json()["detail"]
    assert list(UserRecord.objects.values_list("first_name", "version")) == [("Ada", 1)]
    assert len(events_after(USERS_TOPIC)) == before


def test_session_writes_need_the_csrf_token(editor, record):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    page = browser.get("/window1/")  # sets the csrftoken cookie, as for the page's script
    token = page.cookies["csrftoken"].value
    refused = browser.patch(
        f"/api/users/{record.pk}/", {"first_name": "X"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert UserRecord.objects.get(pk=record.pk).first_name == "Ada"
    accepted = browser.patch(
        f"/api/users/{record.pk}/",
        {"first_name": "X"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200
    assert UserRecord.objects.get(pk=record.pk).first_name == "X"


def test_bearer_writes_need_no_csrf_token(api, record):
    # APIClient does not send a CSRF token; a bearer token is not ambient, so none is needed.
    assert (
        api.patch(f"/api/users/{record.pk}/", {"first_name": "Y"}, format="json").status_code == 200
    )


def test_window_for_a_reader_is_read_only(client, reader, record):
    client.force_login(reader)
    html = client.get("/window1/").content.decode()
    assert 'id="view-only"' in html
    assert 'id="create-form"' not in html
