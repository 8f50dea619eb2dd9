"""The chat's REST API (BRIEF, Chat): every endpoint, rule and error."""

import pytest
from rest_framework.test import APIClient

from apps.chat import services
from apps.chat.models import Conversation, Message
from apps.chat.topics import conversation_topic, inbox_topic

pytestmark = pytest.mark.django_db


def post_message(client, conversation_id, **body):
    return client.post(f"/api/conversations/{conversation_id}/messages/", body, format="json")


def test_contact_seller_opens_once_then_reopens(client_for, listing, buyer):
    api = client_for(buyer)
    first = api.post(f"/api/listings/{listing.pk}/conversation/")
    again = api.post(f"/api/listings/{listing.pk}/conversation/")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["listing"] == {
        "id": listing.pk,
        "title": "Laptop for Sale",
        "price": "450.00",
        "status": "available",
    }
    assert first.json()["other"]["username"] == "seller"


def test_the_seller_contacting_their_own_listing_gets_400_naming_listing(
    client_for, listing, seller
):
    response = client_for(seller).post(f"/api/listings/{listing.pk}/conversation/")
    assert response.status_code == 400
    assert "listing" in response.json()
    assert not Conversation.objects.exists()


def test_contacting_a_missing_listing_is_404(client_for, buyer):
    assert client_for(buyer).post("/api/listings/999999/conversation/").status_code == 404


def test_send_is_201_then_200_with_the_stored_message(client_for, conversation, buyer):
    api = client_for(buyer)
    created = post_message(api, conversation.pk, body="Hello", client_id="abc-1")
    retried = post_message(api, conversation.pk, body="Hello", client_id="abc-1")
    assert (created.status_code, retried.status_code) == (201, 200)
    assert created.json() == retried.json()
    assert created.json()["status"] == "sent"
    assert Message.objects.count() == 1


def test_a_client_id_reused_for_a_different_message_is_409(client_for, conversation, buyer):
    api = client_for(buyer)
    post_message(api, conversation.pk, body="Hello", client_id="abc")
    response = post_message(api, conversation.pk, body="Other", client_id="abc")
    assert response.status_code == 409 and "client_id" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "   ", "client_id": "a"}, "body"),
        ({"body": "x" * 5001, "client_id": "a"}, "body"),
        ({"body": ["x"], "client_id": "a"}, "body"),
        ({"client_id": "a"}, "body"),
        ({"body": "Hi"}, "client_id"),
        ({"body": "Hi", "client_id": "a b"}, "client_id"),
        ({"body": "Hi", "client_id": "a", "sender": 1}, "sender"),
    ],
)
def test_bad_messages_get_400_naming_the_field(client_for, conversation, buyer, body, field):
    response = post_message(client_for(buyer), conversation.pk, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Message.objects.exists()


def test_a_non_json_object_body_is_400(client_for, conversation, buyer):
    response = client_for(buyer).post(
        f"/api/conversations/{conversation.pk}/messages/", [1, 2], format="json"
    )
    assert response.status_code == 400


def test_a_stranger_gets_404_everywhere(client_for, conversation, stranger, buyer):
    services.message_send(conversation_id=conversation.pk, sender=buyer, body="Hi", client_id="1")
    api = client_for(stranger)
    base = f"/api/conversations/{conversation.pk}"
    assert api.get(f"{base}/").status_code == 404
    assert api.get(f"{base}/messages/").status_code == 404
    assert post_message(api, conversation.pk, body="Hi", client_id="s").status_code == 404
    assert api.post(f"{base}/read/", {"up_to": 1}, format="json").status_code == 404
    assert api.post(f"{base}/delivered/", {"up_to": 1}, format="json").status_code == 404
    assert api.get("/api/conversations/").json() == []
    assert Message.objects.count() == 1


def test_anonymous_requests_get_401(conversation):
    client = APIClient()
    assert client.get("/api/conversations/").status_code == 401
    assert client.get(f"/api/conversations/{conversation.pk}/messages/").status_code == 401


def test_history_is_newest_first_in_pages(client_for, conversation, buyer, seller):
    ids = [
        services.message_send(
            conversation_id=conversation.pk, sender=buyer, body=f"m{i}", client_id=f"m{i}"
        )[0].pk
        for i in range(5)
    ]
    api = client_for(seller)
    page = api.get(f"/api/conversations/{conversation.pk}/messages/?limit=2")
    assert page.status_code == 200
    assert page["Tidewire-Topic"] == conversation_topic(conversation.pk)
    assert [m["id"] for m in page.json()["results"]] == ids[:-3:-1]
    older = api.get(page.json()["next"])
    assert [m["id"] for m in older.json()["results"]] == [ids[2], ids[1]]
    last = api.get(older.json()["next"])
    assert [m["id"] for m in last.json()["results"]] == [ids[0]]
    assert last.json()["next"] is None


@pytest.mark.parametrize(
    "query", ["before=abc", "before=0", "limit=0", "limit=201", "before=" + "9" * 30]
)
def test_bad_paging_parameters_get_400_naming_them(client_for, conversation, buyer, query):
    response = client_for(buyer).get(f"/api/conversations/{conversation.pk}/messages/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_read_clears_unread_and_statuses_follow(client_for, conversation, buyer, seller):
    message, _ = services.message_send(
        conversation_id=conversation.pk, sender=buyer, body="Hi", client_id="1"
    )
    seller_api, buyer_api = client_for(seller), client_for(buyer)
    [row] = seller_api.get("/api/conversations/").json()
    assert row["unread_count"] == 1
    delivered = seller_api.post(
        f"/api/conversations/{conversation.pk}/delivered/", {"up_to": message.pk}, format="json"
    )
    assert delivered.json()["unread_count"] == 1
    history = buyer_api.get(f"/api/conversations/{conversation.pk}/messages/").json()
    assert history["results"][0]["status"] == "delivered"
    read = seller_api.post(
        f"/api/conversations/{conversation.pk}/read/", {"up_to": message.pk}, format="json"
    )
    assert read.status_code == 200
    assert read.json() == {
        "conversation": conversation.pk,
        "delivered_up_to": message.pk,
        "read_up_to": message.pk,
        "unread_count": 0,
    }
    [row] = seller_api.get("/api/conversations/").json()
    assert row["unread_count"] == 0
    [buyer_row] = buyer_api.get("/api/conversations/").json()
    assert buyer_row["last_message"]["status"] == "read"


@pytest.mark.parametrize(
    "body", [{}, {"up_to": -1}, {"up_to": "x"}, {"up_to": 2**63}, {"up_to": 1, "x": 1}]
)
def test_bad_markers_get_400(client_for, conversation, seller, body):
    response = client_for(seller).post(
        f"/api/conversations/{conversation.pk}/read/", body, format="json"
    )
    assert response.status_code == 400


def test_the_list_is_newest_activity_first_and_searchable(
    client_for, listing, buyer, seller, stranger
):
    from apps.listings.models import Listing

    other_listing = Listing.objects.create(seller=seller, title="Engineering Books", price=35)
    first, _ = services.conversation_open(listing_id=listing.pk, buyer=buyer)
    second, _ = services.conversation_open(listing_id=other_listing.pk, buyer=stranger)
    services.message_send(
        conversation_id=first.pk, sender=buyer, body="Still there?", client_id="1"
    )
    api = client_for(seller)
    response = api.get("/api/conversations/")
    assert response["Tidewire-Topic"] == inbox_topic(seller.pk)
    assert [row["id"] for row in response.json()] == [first.pk, second.pk]
    assert [row["id"] for row in api.get("/api/conversations/?search=books").json()] == [second.pk]
    assert [row["id"] for row in api.get("/api/conversations/?search=STRANGER").json()] == [
        second.pk
    ]
    assert [row["id"] for row in api.get("/api/conversations/?search=there").json()] == [first.pk]


def test_sending_is_rate_limited_per_user_across_rest(client_for, conversation, buyer, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "chat_send": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api = client_for(buyer)
    codes = [
        post_message(api, conversation.pk, body="Hi", client_id=f"r{i}").status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert api.get(f"/api/conversations/{conversation.pk}/messages/").status_code == 200
    assert Message.objects.count() == 2


def test_a_script_body_is_stored_and_returned_as_text(client_for, conversation, buyer):
    body = "<script>alert(1)</script>"
    response = post_message(client_for(buyer), conversation.pk, body=body, client_id="x")
    assert response.json()["body"] == body
