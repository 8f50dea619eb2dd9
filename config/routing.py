"""WebSocket routes: the multiplexed socket and each app's seed endpoints."""

from django.urls import path

from apps.bookings.routing import websocket_urlpatterns as bookings_ws
from apps.chat.routing import websocket_urlpatterns as chat_ws
from apps.records.routing import websocket_urlpatterns as records_ws
from tidewire.consumers import MultiplexConsumer

websocket_urlpatterns = [
    path("ws/", MultiplexConsumer.as_asgi()),
    *records_ws,
    *chat_ws,
    *bookings_ws,
]
