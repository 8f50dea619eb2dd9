from django.urls import path

from .consumers import BusinessConsumer, DashboardConsumer

websocket_urlpatterns = [
    path("ws/dashboard/", DashboardConsumer.as_asgi()),
    path("ws/business/<int:business_id>/", BusinessConsumer.as_asgi()),
]
