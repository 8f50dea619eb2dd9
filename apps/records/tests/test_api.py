"""Every /api/users/ endpoint and every error it answers."""

import pytest

from apps.records import services
from apps.records.models import UserRecord
from apps.records.topics import USERS_TOPIC
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return services.user_record_create(first_name="Ada", last_name="Lovelace")


def test_list_returns_every_record_oldest_first(api, record):
    other = services.user_record_create(first_name="Alan", last_name="Turing")
    response = api.get("/api/users/")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [record.pk, other.pk]
    assert set(response.json()[0]) == {
        "id", "first_name", "last_name", "version", "created_at", "updated_at",
    }  # fmt: skip


def test_create_returns_201_and_broadcasts(api):
    response = api.post(
        "/api/users/", {"first_name": "Grace", "last_name": "Hopper"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["first_name"], body["last_name"], body["version"]) == ("Grace", "Hopper", 1)
    [event] = events_after(USERS_TOPIC)
    assert event["data"] == {"action": "create", "user": body}


def test_retrieve_one(api, record):
    response = api.get(f"/api/users/{record.pk}/")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Ada"


def test_patch_changes_one_field_and_the_event_matches_the_response(api, record):
    offset = stream_offset(topic=USERS_TOPIC)
    response = api.patch(f"/api/users/{record.pk}/", {"first_name": "Augusta"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["first_name"], body["last_name"], body["version"]) == ("Augusta", "Lovelace", 2)
    assert events_after(USERS_TOPIC, offset) == [
        {"type": "user_update", "data": {"action": "update", "user": body}}
    ]


def test_delete_returns_204_and_broadcasts(api, record):
    offset = stream_offset(topic=USERS_TOPIC)
    assert api.delete(f"/api/users/{record.pk}/").status_code == 204
    assert not UserRecord.objects.exists()
    [event] = events_after(USERS_TOPIC, offset)
    assert event["data"]["action"] == "delete"


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_unknown_record_is_404(api, method):
    response = getattr(api, method)("/api/users/999/", {}, format="json")
    assert response.status_code == 404
    assert "999" in response.json()["detail"]


def test_put_is_not_allowed(api, record):
    response = api.put(
        f"/api/users/{record.pk}/", {"first_name": "X", "last_name": "Y"}, format="json"
    )
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "blank"),
        ({"first_name": "   "}, "first_name", "blank"),
        ({"last_name": "x" * 151}, "last_name", "150"),
        ({"first_name": 42}, "first_name", "string"),
        ({"first_name": None}, "first_name", "null"),
        ({"first_name": ["a"]}, "first_name", "string"),
        ({"nickname": "Ada"}, "nickname", "Unknown field"),
        ({"version": 7}, "version", "Unknown field"),
        ({"id": 7}, "id", "Unknown field"),
    ],
)
def test_bad_patch_is_400_naming_the_field_and_changes_nothing(
    api, record, payload, field, message
):
    offset = stream_offset(topic=USERS_TOPIC)
    response = api.patch(f"/api/users/{record.pk}/", payload, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors
    assert message in " ".join(errors[field])
    fresh = UserRecord.objects.get(pk=record.pk)
    assert (fresh.first_name, fresh.last_name, fresh.version) == ("Ada", "Lovelace", 1)
    assert events_after(USERS_TOPIC, offset) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"first_name": "Grace"}, "last_name"),
        ({}, "first_name"),
        ({"first_name": "Grace", "last_name": True}, "last_name"),
    ],
)
def test_bad_create_is_400_naming_the_field(api, payload, field):
    response = api.post("/api/users/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not UserRecord.objects.exists()


def test_body_that_is_not_a_json_object_is_400(api, record):
    response = api.patch(f"/api/users/{record.pk}/", ["first_name"], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    response = api.generic(
        "PATCH", f"/api/users/{record.pk}/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_wrong_content_type_is_415(api, record):
    response = api.generic(
        "PATCH", f"/api/users/{record.pk}/", "first_name=X", content_type="text/plain"
    )
    assert response.status_code == 415


def test_reads_carry_the_stream_offset_taken_before_the_data(api, record):
    offset = stream_offset(topic=USERS_TOPIC)
    for path in ("/api/users/", f"/api/users/{record.pk}/"):
        response = api.get(path)
        assert response["Tidewire-Topic"] == USERS_TOPIC
        assert int(response["Tidewire-Offset"]) == offset


def test_etag_is_the_version(api, record):
    assert api.get(f"/api/users/{record.pk}/")["ETag"] == '"1"'
    response = api.patch(f"/api/users/{record.pk}/", {"first_name": "B"}, format="json")
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize("header", ['"1"', 'W/"1"', "*"])
def test_patch_with_a_current_if_match_applies(api, record, header):
    response = api.patch(
        f"/api/users/{record.pk}/", {"first_name": "B"}, format="json", headers={"If-Match": header}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_patch_with_a_stale_if_match_is_412_with_the_current_state_and_changes_nothing(api, record):
    api.patch(f"/api/users/{record.pk}/", {"first_name": "Theirs"}, format="json")
    offset = stream_offset(topic=USERS_TOPIC)
    response = api.patch(
        f"/api/users/{record.pk}/",
        {"first_name": "Mine"},
        format="json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 412
    assert response["ETag"] == '"2"'
    body = response.json()
    assert body["current"]["first_name"] == "Theirs"
    assert body["current"]["version"] == 2
    assert "version 2" in body["detail"]
    assert UserRecord.objects.get(pk=record.pk).first_name == "Theirs"
    assert events_after(USERS_TOPIC, offset) == []


def test_delete_with_a_stale_if_match_is_412(api, record):
    api.patch(f"/api/users/{record.pk}/", {"first_name": "B"}, format="json")
    response = api.delete(f"/api/users/{record.pk}/", headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert UserRecord.objects.filter(pk=record.pk).exists()


def test_unreadable_if_match_is_400_naming_the_header(api, record):
    response = api.patch(
        f"/api/users/{record.pk}/",
        {"first_name": "B"},
        format="json",
        headers={"If-Match": "three"},
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()
    assert UserRecord.objects.get(pk=record.pk).version == 1


@pytest.mark.parametrize("method", ["patch", "delete"])
@pytest.mark.parametrize("version", ["9" * 5_000, "9" * 11])
def test_an_if_match_beyond_ten_digits_is_400_naming_the_header(api, record, method, version):
    response = getattr(api, method)(
        f"/api/users/{record.pk}/",
        {"first_name": "B"},
        format="json",
        headers={"If-Match": f'"{version}"'},
    )
    assert response.status_code == 400
    assert "10 digits" in response.json()["If-Match"][0]
    fresh = UserRecord.objects.get(pk=record.pk)
    assert (fresh.first_name, fresh.version) == ("Ada", 1)


def test_a_record_id_of_5000_digits_is_404(api):
    assert api.get(f"/api/users/{'9' * 5_000}/").status_code == 404


# Names that hide control or direction characters (tidewire.text): each is refused.
HIDDEN_CHARACTERS = [
    ("Ann\x1b[31mRed", "U+001B"),  # ESC: terminal colours in logs and exports
    ("Ann\x07", "U+0007"),  # BEL
    ("Ann\u202egnp.exe", "U+202E"),  # RIGHT-TO-LEFT OVERRIDE: shows as "Annexe.png"
    ("An\u200bn", "U+200B"),  # ZERO WIDTH SPACE: two names that look the same
    ("Ann\nSmith", "U+000A"),  # a newline in a one-line name
]


@pytest.mark.parametrize(("name", "code_point"), HIDDEN_CHARACTERS)
@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_patch_with_a_hidden_character_is_400_naming_field_and_character(
    api, record, field, name, code_point
):
    offset = stream_offset(topic=USERS_TOPIC)
    response = api.patch(f"/api/users/{record.pk}/", {field: name}, format="json")
    assert response.status_code == 400
    [message] = response.json()[field]
    assert code_point in message
    fresh = UserRecord.objects.get(pk=record.pk)
    assert (fresh.first_name, fresh.last_name, fresh.version) == ("Ada", "Lovelace", 1)
    assert events_after(USERS_TOPIC, offset) == []


@pytest.mark.parametrize(("name", "code_point"), HIDDEN_CHARACTERS)
def test_create_with_a_hidden_character_is_400_and_stores_nothing(api, name, code_point):
    response = api.post("/api/users/", {"first_name": name, "last_name": "Lee"}, format="json")
    assert response.status_code == 400
    assert code_point in response.json()["first_name"][0]
    assert not UserRecord.objects.exists()
    assert events_after(USERS_TOPIC) == []


def test_names_are_stored_in_nfc(api, record):
    created = api.post(
        "/api/users/", {"first_name": "Rene\u0301e", "last_name": "Lee"}, format="json"
    ).json()
    assert created["first_name"] == "Ren\u00e9e"
    patched = api.patch(f"/api/users/{record.pk}/", {"last_name": "Z\u006f\u0308e"}, format="json")
    assert patched.json()["last_name"] == "Z\u00f6e"
    assert UserRecord.objects.get(pk=created["id"]).first_name == "Ren\u00e9e"
    assert UserRecord.objects.get(pk=record.pk).last_name == "Z\u00f6e"
    assert events_after(USERS_TOPIC)[-1]["data"]["user"]["last_name"] == "Z\u00f6e"


def test_right_to_left_names_are_stored_as_given(api):
    response = api.post("/api/users/", {"first_name": "محمد", "last_name": "Lee"}, format="json")
    assert response.status_code == 201
    assert response.json()["first_name"] == "محمد"
