from django.urls import path

from . import api

api_urlpatterns = [
    path("blocks/", api.BlockListApi.as_view(), name="moderation-blocks"),
    path("blocks/<id:user_id>/", api.BlockDetailApi.as_view(), name="moderation-block"),
    path(
        "conversations/<id:conversation_id>/messages/<id:message_id>/report/",
        api.MessageReportApi.as_view(),
        name="moderation-report",
    ),
]
