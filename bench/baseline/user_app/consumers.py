"""The seed's WebSocket consumer: one group, one JSON dump per consumer per event."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer


class UserUpdateConsumer(AsyncWebsocketConsumer):
    group_name = "user_updates"

    async def connect(self):
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        pass

    async def user_update(self, event):
        await self.send(text_data=json.dumps({"type": "user_update", "data": event["data"]}))
