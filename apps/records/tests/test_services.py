import pytest

from apps.records import services
from apps.records.models import UserRecord
from apps.records.topics import USERS_TOPIC
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


def test_user_record_create_emits_one_create_event():
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    [event] = events_after(USERS_TOPIC)
    assert event["type"] == "user_update"
    assert event["data"]["action"] == "create"
    assert event["data"]["user"]["id"] == record.pk
    assert event["data"]["user"]["first_name"] == "Ada"
    assert event["data"]["user"]["version"] == 1


def test_user_record_update_bumps_version_and_emits_the_new_state():
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    offset = stream_offset(topic=USERS_TOPIC)
    updated = services.user_record_update(record_id=record.pk, changes={"first_name": "Augusta"})
    assert updated.version == 2
    [event] = events_after(USERS_TOPIC, offset)
    assert event["data"]["action"] == "update"
    assert event["data"]["user"] == {
        **event["data"]["user"],
        "first_name": "Augusta",
        "last_name": "Lovelace",
        "version": 2,
    }


def test_user_record_update_with_a_stale_version_changes_nothing():
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    services.user_record_update(record_id=record.pk, changes={"first_name": "B"})
    offset = stream_offset(topic=USERS_TOPIC)
    with pytest.raises(services.VersionConflict):
        services.user_record_update(
            record_id=record.pk, changes={"first_name": "C"}, expected_version=1
        )
    assert UserRecord.objects.get(pk=record.pk).first_name == "B"
    assert events_after(USERS_TOPIC, offset) == []


def test_user_record_update_refuses_fields_that_are_not_editable():
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    with pytest.raises(ValueError, match="not editable"):
        services.user_record_update(record_id=record.pk, changes={"version": 9})


def test_user_record_delete_emits_the_last_state():
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    offset = stream_offset(topic=USERS_TOPIC)
    services.user_record_delete(record_id=record.pk)
    [event] = events_after(USERS_TOPIC, offset)
    assert event["data"]["action"] == "delete"
    assert event["data"]["user"]["first_name"] == "Ada"
    assert not UserRecord.objects.filter(pk=record.pk).exists()


def test_missing_record_raises_and_emits_nothing():
    with pytest.raises(UserRecord.DoesNotExist):
        services.user_record_update(record_id=999, changes={"first_name": "X"})
    with pytest.raises(UserRecord.DoesNotExist):
        services.user_record_delete(record_id=999)
    assert events_after(USERS_TOPIC) == []


# What a write with its event costs, pinned: the service's own transaction (a
# savepoint inside the test's), the change, the topic's next offset and the event.
def test_user_record_create_costs_five_queries(django_assert_num_queries):
    services.user_record_create(first_name="Ada", last_name="Lovelace")  # the topic's row exists
    with django_assert_num_queries(5):  # SAVEPOINT, INSERT record, offset, INSERT event, RELEASE
        services.user_record_create(first_name="Alan", last_name="Turing")


def test_user_record_update_costs_six_queries(django_assert_num_queries):
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    # SAVEPOINT, SELECT ... FOR UPDATE, UPDATE, offset, INSERT event, RELEASE
    with django_assert_num_queries(6):
        services.user_record_update(record_id=record.pk, changes={"first_name": "Augusta"})


def test_user_record_delete_costs_six_queries(django_assert_num_queries):
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    # SAVEPOINT, SELECT ... FOR UPDATE, offset, INSERT event, DELETE, RELEASE
    with django_assert_num_queries(6):
        services.user_record_delete(record_id=record.pk)


@pytest.mark.parametrize(
    "name", ["Ann\x1b[31m", "Ann\x07", "Ann\u202egnp.exe", "An\u200bn", "A\nB"]
)
def test_services_refuse_a_name_with_hidden_characters_and_write_nothing(name):
    with pytest.raises(ValueError, match="first_name contains"):
        services.user_record_create(first_name=name, last_name="Lee")
    assert not UserRecord.objects.exists()
    record = services.user_record_create(first_name="Ada", last_name="Lovelace")
    offset = stream_offset(topic=USERS_TOPIC)
    with pytest.raises(ValueError, match="last_name contains"):
        services.user_record_update(record_id=record.pk, changes={"last_name": name})
    fresh = UserRecord.objects.get(pk=record.pk)
    assert (fresh.last_name, fresh.version) == ("Lovelace", 1)
    assert events_after(USERS_TOPIC, offset) == []


def test_services_store_names_in_nfc():
    record = services.user_record_create(first_name="Rene\u0301e", last_name="Lee")
    assert UserRecord.objects.get(pk=record.pk).first_name == "Ren\u00e9e"
    services.user_record_update(record_id=record.pk, changes={"last_name": "Le\u0301e"})
    assert UserRecord.objects.get(pk=record.pk).last_name == "L\u00e9e"
