"""The unsubscribe link in every non-essential email (config/urls.py mounts it)."""

from django.urls import path

from . import views

app_name = "mailing"

urlpatterns = [
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
