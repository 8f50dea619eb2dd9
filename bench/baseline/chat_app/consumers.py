"""Seed 003's ChatConsumer: save, notify, then broadcast to the conversation's group.

As the seed's sequence has it (Receive msg, Save to DB, Create notif, Broadcast):
each step awaits `database_sync_to_async`, then `group_send` to `chat_<id>`, and
every consumer in the group sends its own `json.dumps`. The one addition is
`client_id`, passed through untouched so the benchmark can match what it sent
with what arrived (it is not stored).
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db.models import Q

from .models import Conversation, Message, Notification


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        self.room_group_name = f"chat_{self.conversation_id}"
        self.user = self.scope["user"]
        if not self.user.is_authenticated or not await self.is_participant():
            await self.close()
            return
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        if hasattr(self, "room_group_name"):
            await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        data = json.loads(text_data)
        content = data.get("message", "").strip()
        if not content:
            return
        message = await self.save_message(content)
        await self.create_notification(message)
        await self.channel_layer.group_send(
            self.room_group_name,
            {
                "type": "chat_message",
                "message": content,
                "message_id": message.id,
                "sender": self.user.username,
                "sender_id": self.user.id,
                "timestamp": message.created_at.isoformat(),
                "client_id": data.get("client_id", ""),
            },
        )

    async def chat_message(self, event):
        await self.send(
            text_data=json.dumps(
                {
                    "type": "chat_message",
                    "message": event["message"],
                    "message_id": event["message_id"],
                    "sender": event["sender"],
                    "sender_id": event["sender_id"],
                    "timestamp": event["timestamp"],
                    "client_id": event["client_id"],
                }
            )
        )

    @database_sync_to_async
    def is_participant(self):
        return Conversation.objects.filter(
            Q(buyer=self.user) | Q(seller=self.user), id=self.conversation_id
        ).exists()

    @database_sync_to_async
    def save_message(self, content):
        conversation = Conversation.objects.get(id=self.conversation_id)
        message = Message.objects.create(
            conversation=conversation, sender=self.user, content=content
        )
        conversation.save()  # bumps updated_at: the conversation list's order
        return message

    @database_sync_to_async
    def create_notification(self, message):
        conversation = message.conversation
        recipient_id = (
            conversation.seller_id
            if message.sender_id == conversation.buyer_id
            else conversation.buyer_id
        )
        return Notification.objects.create(
            user_id=recipient_id,
            message=f"New message from {self.user.username}",
            conversation=conversation,
        )
