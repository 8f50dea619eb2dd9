"""/api/businesses/: who sees and changes what, every refusal, and the events behind each write."""

import pytest
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.bookings import services
from apps.bookings.models import Business
from apps.bookings.topics import DASHBOARD_TOPIC, business_topic
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db

FIELDS = {"id", "name", "subdomain", "owner"}


def url(business_id=None):
    return "/api/businesses/" if business_id is None else f"/api/businesses/{business_id}/"


@pytest.mark.parametrize(("method", "path"), [
    ("get", url()), ("post", url()), ("get", url(1)), ("patch", url(1)), ("delete", url(1)),
])  # fmt: skip
def test_anonymous_requests_are_401(method, path):
    assert getattr(APIClient(), method)(path, {}, format="json").status_code == 401


def test_a_super_admin_lists_every_business_newest_first_with_the_dashboard_offset(
    as_admin, salon, other_salon
):
    response = as_admin.get(url())
    assert response.status_code == 200
    body = response.json()
    assert [b["id"] for b in body["results"]] == [other_salon.pk, salon.pk]
    assert body["results"][1] == {
        "id": salon.pk,
        "name": "Olivia's Salon",
        "subdomain": "olivia",
        "owner": salon.owner_id,
    }
    assert response["Tidewire-Topic"] == DASHBOARD_TOPIC
    assert response["Tidewire-Offset"] == str(stream_offset(topic=DASHBOARD_TOPIC))


def test_an_owner_lists_only_their_own(as_owner, salon, other_salon):
    response = as_owner.get(url())
    assert [b["id"] for b in response.json()["results"]] == [salon.pk]
    assert "Tidewire-Topic" not in response  # an owner follows each business's own topic


def test_the_list_pages_with_a_cursor(as_admin, owner):
    made = [
        services.business_create(name=f"Salon {n}", subdomain=f"s{n}", owner=owner)
        for n in range(23)
    ]
    first = as_admin.get(url()).json()
    assert [b["id"] for b in first["results"]] == [b.pk for b in reversed(made)][:20]
    second = as_admin.get(first["next"]).json()
    assert [b["id"] for b in second["results"]] == [b.pk for b in reversed(made)][20:]


def test_an_owner_reads_their_business_with_its_topic_offset(as_owner, salon):
    response = as_owner.get(url(salon.pk))
    assert response.status_code == 200
    assert set(response.json()) == FIELDS
    assert response["Tidewire-Topic"] == business_topic(salon.pk)


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_owners_business_is_404_like_one_that_does_not_exist(as_owner, other_salon, method):
    foreign = getattr(as_owner, method)(url(other_salon.pk), {"name": "Mine"}, format="json")
    missing = getattr(as_owner, method)(url(10**12), {"name": "Mine"}, format="json")
    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.json()["detail"].replace(str(other_salon.pk), "N") == missing.json()[
        "detail"
    ].replace(str(10**12), "N")
    other_salon.refresh_from_db()
    assert other_salon.name == "Oscar's Cuts"


def test_an_id_beyond_a_bigint_is_404(as_admin):
    assert as_admin.get(url(int("9" * 30))).status_code == 404


def test_a_super_admin_creates_a_business_audited_as_api_and_announced(
    as_admin, owner, super_admin
):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = as_admin.post(
        url(), {"name": "New Salon", "subdomain": "NewSalon", "owner": owner.pk}, format="json"
    )
    assert response.status_code == 201
    business = Business.objects.get()
    assert response.json() == {
        "id": business.pk,
        "name": "New Salon",
        "subdomain": "newsalon",
        "owner": owner.pk,
    }
    [event] = events_after(DASHBOARD_TOPIC, offset)
    assert event["type"] == "business_created"
    assert event["payload"]["business"] == {
        "id": business.pk,
        "name": "New Salon",
        "subdomain": "newsalon",
    }
    entry = AuditEntry.objects.get(action="business_created")
    assert (entry.source, entry.actor_id) == ("api", super_admin.pk)


def test_owners_may_not_create_delete_or_give_away_a_business(as_owner, owner, other_owner, salon):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    create = as_owner.post(url(), {"name": "X", "subdomain": "x", "owner": owner.pk}, format="json")
    delete = as_owner.delete(url(salon.pk))
    give = as_owner.patch(url(salon.pk), {"owner": other_owner.pk}, format="json")
    assert (create.status_code, delete.status_code, give.status_code) == (403, 403, 403)
    assert list(Business.objects.values_list("pk", "owner_id")) == [(salon.pk, owner.pk)]
    assert events_after(DASHBOARD_TOPIC, offset) == []


def test_an_owner_renames_their_business_and_both_topics_hear_it(as_owner, owner, salon):
    offset = stream_offset(topic=business_topic(salon.pk))
    response = as_owner.patch(url(salon.pk), {"name": "Olivia & Co"}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Olivia & Co"
    [event] = events_after(business_topic(salon.pk), offset)
    assert event["type"] == "business_updated"
    assert events_after(DASHBOARD_TOPIC)[-1] == event
    entry = AuditEntry.objects.filter(action="business_updated").get()
    assert (entry.source, entry.actor_id) == ("api", owner.pk)


def test_a_super_admin_gives_a_business_to_another_owner(as_admin, salon, other_owner, as_owner):
    response = as_admin.patch(url(salon.pk), {"owner": other_owner.pk}, format="json")
    assert response.status_code == 200 and response.json()["owner"] == other_owner.pk
    assert as_owner.get(url(salon.pk)).status_code == 404  # no longer the first owner's


def test_a_super_admin_deletes_a_business(as_admin, salon, reservation):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    assert as_admin.delete(url(salon.pk)).status_code == 204
    assert not Business.objects.exists()
    assert [e["type"] for e in events_after(DASHBOARD_TOPIC, offset)] == ["business_deleted"]


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": "X", "subdomain": "olivia"}, "subdomain"),  # taken
    ({"name": "X", "subdomain": "-bad-"}, "subdomain"),
    ({"name": "X", "subdomain": "a" * 64}, "subdomain"),
    ({"name": "", "subdomain": "fine"}, "name"),
    ({"name": "Bad\u202ename", "subdomain": "fine"}, "name"),
    ({"name": 3, "subdomain": "fine"}, "name"),
    ({"name": "X", "subdomain": "fine", "owner": 10**12}, "owner"),
    ({"name": "X", "subdomain": "fine", "owner": "me"}, "owner"),
    ({"name": "X", "subdomain": "fine", "colour": "red"}, "colour"),
    ({"subdomain": "fine"}, "name"),
])  # fmt: skip
def test_bad_input_is_400_naming_the_field_and_stores_nothing(
    as_admin, salon, owner, payload, field
):
    offset = stream_offset(topic=DASHBOARD_TOPIC)
    response = as_admin.post(url(), {"owner": owner.pk, **payload}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert Business.objects.count() == 1
    assert events_after(DASHBOARD_TOPIC, offset) == []


def test_a_subdomain_taken_by_a_rename_is_400_naming_it(as_owner, salon, other_salon):
    response = as_owner.patch(url(salon.pk), {"subdomain": "oscar"}, format="json")
    assert response.status_code == 400
    assert "taken" in response.json()["subdomain"][0]


def test_an_owner_patching_the_owner_of_another_owners_business_is_404_not_403(
    as_owner, owner, other_salon
):
    response = as_owner.patch(url(other_salon.pk), {"owner": owner.pk}, format="json")
    assert response.status_code == 404
