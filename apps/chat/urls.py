from django.urls import path

from . import api, edits_api, photo_views, views

app_name = "chat"

api_urlpatterns = [
    path(
        "listings/<id:listing_id>/conversation/",
        api.ConversationOpenApi.as_view(),
        name="chat-open",
    ),
    path("conversations/", api.ConversationListApi.as_view(), name="chat-conversations"),
    path(
        "conversations/<id:conversation_id>/",
        api.ConversationDetailApi.as_view(),
        name="chat-conversation",
    ),
    path(
        "conversations/<id:conversation_id>/messages/",
        api.MessageListApi.as_view(),
        name="chat-messages",
    ),
    path(
        "conversations/<id:conversation_id>/messages/<id:message_id>/",
        edits_api.MessageDetailApi.as_view(),
        name="chat-message",
    ),
    path(
        "conversations/<id:conversation_id>/images/<id:image_id>/",
        photo_views.ImageApi.as_view(),
        name="chat-image",
    ),
    path(
        "conversations/<id:conversation_id>/images/<id:image_id>/thumbnail/",
        photo_views.ImageApi.as_view(thumbnail=True),
        name="chat-image-thumbnail",
    ),
    path(
        "conversations/<id:conversation_id>/archive/",
        api.ArchiveApi.as_view(),
        name="chat-archive",
    ),
    path(
        "conversations/<id:conversation_id>/read/",
        api.MarkApi.as_view(read=True),
        name="chat-read",
    ),
    path(
        "conversations/<id:conversation_id>/delivered/",
        api.MarkApi.as_view(read=False),
        name="chat-delivered",
    ),
]

urlpatterns = [
    path("chat/", views.conversation_list, name="list"),
    path("chat/<id:conversation_id>/", views.room, name="room"),
]
