from django.urls import path

from . import api, views

app_name = "notifications"

api_urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/unread-count/", api.UnreadCountApi.as_view(), name="notification-unread"),
    path("notifications/read/", api.ReadApi.as_view(), name="notification-read"),
    path(
        "notifications/<id:notification_id>/archive/",
        api.ArchiveApi.as_view(),
        name="notification-archive",
    ),
    path(
        "notifications/preferences/",
        api.PreferencesApi.as_view(),
        name="notification-preferences",
    ),
]

urlpatterns = [
    path("notifications/", views.notification_page, name="page"),
]
