from django.urls import path  # noqa: F401

app_name = "chat"

api_urlpatterns: list = []

urlpatterns: list = []
