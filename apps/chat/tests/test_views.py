"""The chat pages: who may open them and what they embed."""

import json

import pytest

from apps.chat import services
from apps.chat.topics import conversation_topic, inbox_topic
from tidewire.streams import stream_offset

pytestmark = pytest.mark.django_db


def embedded(response) -> dict:
    text = response.content.decode()
    start = text.index('<script id="chat-page" type="application/json">') + len(
        '<script id="chat-page" type="application/json">'
    )
    return json.loads(text[start : text.index("</script>", start)])


def test_the_room_embeds_history_receipts_and_its_offsets(client, conversation, buyer, seller):
    services.message_send(conversation_id=conversation.pk, sender=buyer, body="Hi", client_id="1")
    client.force_login(seller)
    response = client.get(f"/chat/{conversation.pk}/")
    assert response.status_code == 200
    page = embedded(response)
    assert page["topic"] == conversation_topic(conversation.pk)
    assert page["offset"] == stream_offset(topic=conversation_topic(conversation.pk))
    assert [m["body"] for m in page["messages"]] == ["Hi"]
    assert page["other"]["username"] == "buyer"
    assert set(page["receipts"]) == {str(buyer.pk), str(seller.pk)}


def test_a_stranger_gets_404_and_anonymous_the_login_page(client, conversation, stranger):
    assert client.get(f"/chat/{conversation.pk}/").status_code == 302
    assert client.get("/chat/").status_code == 302
    client.force_login(stranger)
    assert client.get(f"/chat/{conversation.pk}/").status_code == 404
    assert client.get(f"/chat/{'9' * 30}/").status_code == 404


def test_the_list_embeds_the_rows_and_the_inbox_offset(client, conversation, buyer):
    client.force_login(buyer)
    page = embedded(client.get("/chat/"))
    assert page["topic"] == inbox_topic(buyer.pk)
    assert [row["id"] for row in page["conversations"]] == [conversation.pk]


def test_a_script_body_is_embedded_inertly(client, conversation, buyer):
    services.message_send(
        conversation_id=conversation.pk,
        sender=buyer,
        body="</script><script>x()</script>",
        client_id="x",
    )
    client.force_login(buyer)
    text = client.get(f"/chat/{conversation.pk}/").content.decode()
    assert "</script><script>x()" not in text
