"""Chat photos, read back: only the conversation's participants get the bytes.

Photos are never under a public MEDIA_URL: whoever holds a URL still has to be
one of the two people in the conversation (a stranger gets 404, as for
everything else of a conversation), and a photo of a message deleted for
everyone is gone.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from .models import MessageImage

# A participant's browser keeps it (the URL never changes: a new photo is a new
# image); no shared cache may, since the answer depends on who asks.
CACHE_CONTROL = "private, max-age=86400"


class AnyAccept(BaseContentNegotiation):
    """The answer is the image whatever the Accept header says (an <img> sends image/*)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ImageApi(APIView):
    content_negotiation_class = AnyAccept
    thumbnail = False

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    def get(self, request: Request, conversation_id: int, image_id: int) -> FileResponse:
        """A photo (or its thumbnail) of a message, for the conversation's participants only."""
        user_id = request.user.pk
        try:
            image = MessageImage.objects.get(
                Q(message__conversation__buyer_id=user_id)
                | Q(message__conversation__seller_id=user_id),
                pk=image_id,
                message__conversation_id=conversation_id,
                message__deleted_at__isnull=True,
            )
        except MessageImage.DoesNotExist:
            raise NotFound(f"No image with id {image_id}.") from None
        if self.thumbnail:
            name, content_type = image.thumbnail_name, "image/webp"
        else:
            name, content_type = image.name, image.content_type
        response = FileResponse(default_storage.open(name), content_type=content_type)
        response["Cache-Control"] = CACHE_CONTROL
        response["Content-Disposition"] = "inline"
        return response
