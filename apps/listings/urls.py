from django.urls import path  # noqa: F401

app_name = "listings"

api_urlpatterns: list = []

urlpatterns: list = []
