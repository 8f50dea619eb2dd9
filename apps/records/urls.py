from django.urls import path

from . import api, views

app_name = "records"

api_urlpatterns = [
    path("users/", api.UserListApi.as_view(), name="user-list"),
    path("users/<id:record_id>/", api.UserDetailApi.as_view(), name="user-detail"),
]

urlpatterns = [
    path("window1/", views.window, {"window": 1}, name="window1"),
    path("window2/", views.window, {"window": 2}, name="window2"),
]
