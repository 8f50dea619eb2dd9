"""Over the socket, a blocked pair's send gets an error frame `blocked` and nothing arrives."""

import pytest
from channels.db import database_sync_to_async

from apps.chat.models import Message
from apps.chat.tests.test_consumers import chat_socket, next_of
from apps.moderation.services import block_create

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_blocked_send_is_refused_with_a_blocked_frame(
    in_memory_layer, conversation, buyer, seller
):
    await database_sync_to_async(block_create)(blocker=seller, blocked_id=buyer.pk)
    seller_socket = await chat_socket(conversation, seller)
    buyer_socket = await chat_socket(conversation, buyer)
    await next_of(seller_socket, "presence_diff")  # the buyer came in
    await buyer_socket.send_frame({"type": "message", "body": "Hi", "client_id": "c", "ref": 1})
    error = await next_of(buyer_socket, "error")
    assert (error["ref"], error["code"]) == (1, "blocked")
    assert "blocked" in error["message"]
    assert await seller_socket.nothing_more(0.3)
    assert await database_sync_to_async(Message.objects.count)() == 0
    await seller_socket.disconnect()
    await buyer_socket.disconnect()
