from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/user-updates/", consumers.UserUpdateConsumer.as_asgi()),
]
