from django.urls import path

from . import api

api_urlpatterns = [
    path("blocks/", api.BlockListApi.as_view(), name="moderation-blocks"),
    path("blocks/<int:user_id>/", api.BlockDetailApi.as_view(), name="moderation-block"),
    path(
        "conversations/<int:conversation_id>/messages/<int:message_id>/report/",
        api.MessageReportApi.as_view(),
        name="moderation-report",
    ),
]
