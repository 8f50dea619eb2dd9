"""The notification center's services: dedupe, watermark, archive, preferences, purge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.notifications import selectors, services
from apps.notifications.kinds import UnknownKind
from apps.notifications.models import Notification
from apps.notifications.topics import notifications_topic
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db


def note(user, key, message="Hello", kind="test_note"):
    return services.notify(recipient_id=user.pk, kind=kind, message=message, dedupe_key=key)


def test_a_fact_notifies_once_however_often_it_is_told(alice):
    first = note(alice, "reservation:42:confirmed")
    again = note(alice, "reservation:42:confirmed")
    assert first is not None and again is None
    assert Notification.objects.count() == 1
    [event] = events_after(notifications_topic(alice.pk))
    assert event["notification"]["id"] == first.pk and event["unread_count"] == 1


def test_the_same_fact_notifies_each_recipient(alice, bob):
    note(alice, "k")
    note(bob, "k")
    assert Notification.objects.count() == 2


def test_the_message_is_one_line_and_bounded(alice):
    made = note(alice, "k", message="line one\nline two  " + "x" * 600)
    assert "\n" not in made.message and len(made.message) == 500 and made.message.endswith("…")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "nope"}, UnknownKind),
        ({"dedupe_key": ""}, ValueError),
        ({"dedupe_key": "x" * 201}, ValueError),
        ({"link": "https://evil.example/"}, ValueError),
        ({"message": "bad\x00"}, ValueError),
    ],
)
def test_bad_notifications_are_refused_and_nothing_is_stored(alice, kwargs, error):
    arguments = {"recipient_id": alice.pk, "kind": "test_note", "message": "Hi", "dedupe_key": "k"}
    with pytest.raises(error):
        services.notify(**{**arguments, **kwargs})
    assert not Notification.objects.exists()


def test_mark_all_by_watermark_leaves_later_ones_unread(alice):
    first, second = note(alice, "1"), note(alice, "2")
    offset = stream_offset(topic=notifications_topic(alice.pk))
    third = note(alice, "3")  # arrives while the user clicks "mark all"
    changed = services.notifications_read(recipient_id=alice.pk, up_to=second.pk)
    assert changed == [first.pk, second.pk]
    assert selectors.unread_count(recipient_id=alice.pk) == 1
    assert not Notification.objects.get(pk=third.pk).read
    events = events_after(notifications_topic(alice.pk), offset)
    assert events[-1] == {
        "type": "notifications_read",
        "ids": [first.pk, second.pk],
        "unread_count": 1,
    }


def test_reading_twice_changes_nothing_and_announces_nothing(alice):
    made = note(alice, "1")
    services.notifications_read(recipient_id=alice.pk, ids=[made.pk])
    offset = stream_offset(topic=notifications_topic(alice.pk))
    assert services.notifications_read(recipient_id=alice.pk, ids=[made.pk]) == []
    assert events_after(notifications_topic(alice.pk), offset) == []


def test_another_users_ids_are_ignored(alice, bob):
    hers = note(alice, "1")
    assert services.notifications_read(recipient_id=bob.pk, ids=[hers.pk]) == []
    assert services.notifications_read(recipient_id=bob.pk, up_to=hers.pk) == []
    assert not Notification.objects.get(pk=hers.pk).read
    with pytest.raises(Notification.DoesNotExist):
        services.notification_archive(recipient_id=bob.pk, notification_id=hers.pk)


def test_archiving_takes_it_out_of_the_count(alice):
    made = note(alice, "1")
    services.notification_archive(recipient_id=alice.pk, notification_id=made.pk)
    assert selectors.unread_count(recipient_id=alice.pk) == 0
    assert list(selectors.notification_feed(recipient_id=alice.pk)) == []
    assert list(selectors.notification_feed(recipient_id=alice.pk, archived=True)) == [made]


def test_preferences_turn_kinds_off_but_not_essential_ones(alice):
    services.preference_set(user_id=alice.pk, kind="test_note", channel="in_app", enabled=False)
    assert note(alice, "off") is None
    with pytest.raises(services.EssentialKind):
        services.preference_set(
            user_id=alice.pk, kind="test_essential", channel="email", enabled=False
        )
    assert selectors.preference_enabled(user_id=alice.pk, kind="test_essential", channel="email")
    with pytest.raises(ValueError):
        services.preference_set(
            user_id=alice.pk, kind="test_in_app_only", channel="email", enabled=True
        )
    assert not selectors.preference_enabled(
        user_id=alice.pk, kind="test_in_app_only", channel="email"
    )


def test_purge_deletes_only_old_read_ones(alice):
    old_read, old_unread, new_read = note(alice, "1"), note(alice, "2"), note(alice, "3")
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(
        created_at=timezone.now() - timedelta(days=91)
    )
    services.notifications_read(recipient_id=alice.pk, ids=[old_read.pk, new_read.pk])
    assert services.notifications_purge(older_than_days=90) == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {old_unread.pk, new_read.pk}
