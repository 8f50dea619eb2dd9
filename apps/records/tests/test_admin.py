"""Edits in Django admin go through the services, so they are broadcast like any other."""

import pytest

from apps.records import services
from apps.records.models import UserRecord
from apps.records.topics import USERS_TOPIC
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_user, client):
    client.force_login(admin_user)
    return client


def test_admin_change_is_broadcast(staff):
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    offset = stream_offset(topic=USERS_TOPIC)
    response = staff.post(
        f"/admin/records/userrecord/{record.pk}/change/",
        {"first_name": "Augusta", "last_name": "Lovelace"},
    )
    assert response.status_code == 302
    [event] = events_after(USERS_TOPIC, offset)
    assert event["data"]["action"] == "update"
    assert event["data"]["user"]["first_name"] == "Augusta"
    assert event["data"]["user"]["version"] == 2


def test_admin_add_and_delete_are_broadcast(staff):
    response = staff.post(
        "/admin/records/userrecord/add/", {"first_name": "Grace", "last_name": "Hopper"}
    )
    assert response.status_code == 302
    record = UserRecord.objects.get(first_name="Grace")
    response = staff.post(f"/admin/records/userrecord/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert [e["data"]["action"] for e in events_after(USERS_TOPIC)] == ["create", "delete"]


def test_admin_refuses_a_name_with_hidden_characters_naming_the_field(staff):
    response = staff.post(
        "/admin/records/userrecord/add/", {"first_name": "Ann\u202egnp.exe", "last_name": "Lee"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "U+202E" in " ".join(response.context["adminform"].form.errors["first_name"])
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    offset = stream_offset(topic=USERS_TOPIC)
    response = staff.post(
        f"/admin/records/userrecord/{record.pk}/change/",
        {"first_name": "Ada", "last_name": "Love\x1blace"},
    )
    assert response.status_code == 200
    assert "U+001B" in " ".join(response.context["adminform"].form.errors["last_name"])
    assert UserRecord.objects.get(pk=record.pk).last_name == "Lovelace"
    assert UserRecord.objects.count() == 1
    assert events_after(USERS_TOPIC, offset) == []


def test_admin_stores_names_in_nfc(staff):
    staff.post("/admin/records/userrecord/add/", {"first_name": "Rene\u0301e", "last_name": "Lee"})
    assert UserRecord.objects.get().first_name == "Ren\u00e9e"
