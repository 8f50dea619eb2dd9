"""The notifications REST API (BRIEF, Notifications): every endpoint, rule and error."""

import pytest
from rest_framework.test import APIClient

from apps.notifications import services
from apps.notifications.models import Notification
from apps.notifications.topics import notifications_topic

pytestmark = pytest.mark.django_db


def note(user, key, kind="test_note"):
    return services.notify(recipient_id=user.pk, kind=kind, message=f"n {key}", dedupe_key=key)


def test_the_feed_is_newest_first_with_the_brief_fields(client_for, alice, bob):
    first, second = note(alice, "1"), note(alice, "2")
    note(bob, "theirs")
    response = client_for(alice).get("/api/notifications/")
    assert response.status_code == 200
    assert response["Tidewire-Topic"] == notifications_topic(alice.pk)
    results = response.json()["results"]
    assert [n["id"] for n in results] == [second.pk, first.pk]
    assert {"id", "kind", "message", "created_at", "read", "link", "archived"} == set(results[0])


def test_the_feed_pages_by_cursor_and_filters(client_for, alice):
    made = [note(alice, str(i), kind="test_note" if i % 2 else "test_essential") for i in range(5)]
    api = client_for(alice)
    page = api.get("/api/notifications/?page_size=2").json()
    assert [n["id"] for n in page["results"]] == [made[4].pk, made[3].pk]
    rest = api.get(page["next"]).json()
    assert [n["id"] for n in rest["results"]] == [made[2].pk, made[1].pk]
    kinds = api.get("/api/notifications/?kind=test_essential").json()["results"]
    assert {n["kind"] for n in kinds} == {"test_essential"}
    services.notifications_read(recipient_id=alice.pk, ids=[made[4].pk])
    unread = api.get("/api/notifications/?unread=true").json()["results"]
    assert made[4].pk not in [n["id"] for n in unread] and len(unread) == 4


@pytest.mark.parametrize(
    "query", ["unread=maybe", "page_size=abc", "colour=blue", "kind=" + "x" * 51]
)
def test_bad_feed_parameters_get_400_naming_them(client_for, alice, query):
    response = client_for(alice).get(f"/api/notifications/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_unread_count_and_mark_read_by_watermark_or_ids(client_for, alice):
    first, second, third = note(alice, "1"), note(alice, "2"), note(alice, "3")
    api = client_for(alice)
    count = api.get("/api/notifications/unread-count/")
    assert count.json() == {"unread_count": 3}
    assert count["Tidewire-Offset"]
    marked = api.post("/api/notifications/read/", {"up_to": second.pk}, format="json")
    assert marked.json() == {"read": [first.pk, second.pk], "unread_count": 1}
    marked = api.post("/api/notifications/read/", {"ids": [third.pk]}, format="json")
    assert marked.json() == {"read": [third.pk], "unread_count": 0}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"up_to": 1, "ids": [1]},
        {"up_to": 0},
        {"up_to": "x"},
        {"ids": []},
        {"ids": ["a"]},
        {"ids": list(range(1, 502))},
        {"up_to": 1, "all": True},
    ],
)
def test_bad_read_requests_get_400_and_change_nothing(client_for, alice, body):
    note(alice, "1")
    response = client_for(alice).post("/api/notifications/read/", body, format="json")
    assert response.status_code == 400
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_archive_is_404_for_another_users_notification(client_for, alice, bob):
    hers = note(alice, "1")
    assert client_for(bob).post(f"/api/notifications/{hers.pk}/archive/").status_code == 404
    archived = client_for(alice).post(f"/api/notifications/{hers.pk}/archive/")
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert client_for(alice).get("/api/notifications/unread-count/").json()["unread_count"] == 0


def test_preferences_list_and_change_and_essential_kinds_refuse_with_400(client_for, alice):
    api = client_for(alice)
    listed = {p["kind"]: p for p in api.get("/api/notifications/preferences/").json()}
    assert listed["test_note"]["channels"] == {"in_app": True, "email": True}
    changed = api.post(
        "/api/notifications/preferences/",
        {"kind": "test_note", "channel": "email", "enabled": False},
        format="json",
    )
    assert changed.status_code == 200
    assert {p["kind"]: p for p in changed.json()}["test_note"]["channels"]["email"] is False
    refused = api.post(
        "/api/notifications/preferences/",
        {"kind": "test_essential", "channel": "email", "enabled": False},
        format="json",
    )
    assert refused.status_code == 400 and "enabled" in refused.json()
    for body, field in [
        ({"kind": "nope", "channel": "email", "enabled": False}, "kind"),
        ({"kind": "test_note", "channel": "pigeon", "enabled": False}, "channel"),
        ({"kind": "test_in_app_only", "channel": "email", "enabled": True}, "channel"),
        ({"kind": "test_note", "channel": "email"}, "enabled"),
    ]:
        response = api.post("/api/notifications/preferences/", body, format="json")
        assert response.status_code == 400 and field in response.json(), body


def test_anonymous_gets_401():
    client = APIClient()
    for path in ["/api/notifications/", "/api/notifications/unread-count/"]:
        assert client.get(path).status_code == 401
    assert client.post("/api/notifications/read/", {"up_to": 1}, format="json").status_code == 401


def test_the_page_renders_with_the_bell(client, alice):
    client.force_login(alice)
    response = client.get("/notifications/")
    assert response.status_code == 200
    assert b'id="bell-count"' in response.content
