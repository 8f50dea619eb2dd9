"""Chat photos: an upload proven to be an image by decoding it, re-encoded clean, stored.

What a photo goes through (issue 14, item 1):
- at most MAX_IMAGES per message, each at most CHAT_IMAGE_MAX_BYTES (10 MB);
- decoded by Pillow, whatever its name or content type says: only JPEG, PNG and
  WebP are kept, and a file that does not decode is refused;
- re-encoded from its pixels, turned upright first (the EXIF orientation), so
  every metadata block (EXIF with its GPS position, XMP, comments) is left behind;
- a thumbnail made here, on the server;
- both written through Django's storage API (default_storage), under names
  nobody can guess, and read back only through a view that checks the reader
  takes part in the conversation (apps/chat/photo_views.py).
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from tidewire.conf import tidewire_setting

MAX_IMAGES = 5  # issue 14: up to 5 photos per message
# Decoded size limit: a 10 MB file can hold a "decompression bomb" of billions of
# pixels. 50 megapixels is above today's phone cameras (48-50 MP) and 200 MB of RGBA.
MAX_PIXELS = 50_000_000
THUMBNAIL_SIZE = (320, 320)  # fits the room's bubbles at twice their CSS size
# Format decoded -> how it is stored: the same format, so a PNG keeps its transparency.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
JPEG_QUALITY = 85  # indistinguishable on a phone screen, a third of quality 100's size
THUMBNAIL_TYPE = ("webp", "image/webp")  # small, with transparency, read by every browser


@dataclass
class Photo:
    """An upload decoded and re-encoded, ready to store."""

    content: bytes
    extension: str
    content_type: str
    width: int
    height: int
    thumbnail: bytes


class PhotoRefused(ValueError):
    """An upload that is not a photo we keep; the message says which and why."""


def _refuse(message: str) -> PhotoRefused:
    return PhotoRefused(message)


def max_bytes() -> int:
    return tidewire_setting("CHAT_IMAGE_MAX_BYTES")


def check_uploads(files: list[Any]) -> None:
    """Refuse too many files or a file too big, before any decoding (PhotoRefused)."""
    if len(files) > MAX_IMAGES:
        raise _refuse(f"{len(files)} images given; at most {MAX_IMAGES} per message.")
    limit = max_bytes()
    for number, upload in enumerate(files, 1):
        if upload.size > limit:
            raise _refuse(
                f"image {number} has {upload.size:,} bytes; at most {limit:,} are allowed."
            )


def photo_from_upload(upload: Any, number: int = 1) -> Photo:
    """Decode an uploaded file and re-encode it without metadata, with a thumbnail.

    Raises PhotoRefused for anything that is not a JPEG, PNG or WebP image that
    decodes whole.
    """
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise _refuse(f"image {number} is {image.format}; send JPEG, PNG or WebP.")
            if image.width * image.height > MAX_PIXELS:
                raise _refuse(f"image {number} has more than {MAX_PIXELS:,} pixels.")
            image.load()  # decodes every pixel: a truncated or forged file fails here
            extension, content_type = FORMATS[image.format]
            upright = ImageOps.exif_transpose(image)
            icc_profile = image.info.get("icc_profile")
            content = _encode(upright, image.format, icc_profile)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(f"image {number} is not a JPEG, PNG or WebP image.") from None
    thumbnail = upright.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    return Photo(
        content=content,
        extension=extension,
        content_type=content_type,
        width=upright.width,
        height=upright.height,
        thumbnail=_encode(thumbnail, "WEBP", None),
    )


def _encode(image: Image.Image, format_name: str, icc_profile: bytes | None) -> bytes:
    """The pixels alone in `format_name`: no EXIF, XMP or text; the colour profile kept."""
    clean = image.copy()
    clean.info = {}  # where Pillow keeps EXIF, XMP, comments and text chunks for saving
    if format_name == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    if format_name == "WEBP" and clean.mode not in ("RGB", "RGBA"):
        clean = clean.convert("RGBA" if "A" in clean.getbands() or clean.mode == "P" else "RGB")
    options: dict[str, Any] = {"icc_profile": icc_profile} if icc_profile else {}
    if format_name == "JPEG":
        options["quality"] = JPEG_QUALITY
    buffer = io.BytesIO()
    clean.save(buffer, format=format_name, **options)
    return buffer.getvalue()


def photos_from_uploads(files: list[Any]) -> list[Photo]:
    """Every upload checked and converted, or PhotoRefused for the first one refused."""
    check_uploads(files)
    return [photo_from_upload(upload, number) for number, upload in enumerate(files, 1)]


def photo_store(photo: Photo, *, conversation_id: int) -> tuple[str, str]:
    """Write a photo and its thumbnail through default_storage: their stored names."""
    stem = f"chat/{conversation_id}/{uuid.uuid4().hex}"
    name = default_storage.save(f"{stem}.{photo.extension}", ContentFile(photo.content))
    thumb = default_storage.save(f"{stem}.thumb.{THUMBNAIL_TYPE[0]}", ContentFile(photo.thumbnail))
    return name, thumb


def files_delete(names: list[str]) -> None:
    """Remove stored files (a send that failed after storing, a message deleted)."""
    for name in names:
        default_storage.delete(name)
