"""Chat photos with real images made by Pillow: decoded, cleaned, stored, for participants only."""

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.chat import edits, photos
from apps.chat.models import Message, MessageImage
from apps.chat.topics import conversation_topic
from tidewire.conf import tidewire_setting
from tidewire.streams import stream_offset
from tidewire.testing.events import events_after

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media):
    return sorted(p for p in Path(media).rglob("*") if p.is_file())


def image_bytes(format_name="JPEG", size=(64, 48), mode="RGB", **save):
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    buffer = io.BytesIO()
    image.save(buffer, format=format_name, **save)
    return buffer.getvalue()


def with_gps(**more_tags):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    for tag, value in more_tags.items():
        exif[int(tag)] = value
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (52.0, 22.0, 1.5)  # where the seller lives
    return exif


def upload(content, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def send(api, conversation, *files, client_id="p-1", **fields):
    return api.post(
        f"/api/conversations/{conversation.pk}/messages/",
        {"client_id": client_id, "images": list(files), **fields},
        format="multipart",
    )


def test_a_photo_is_sent_with_its_urls_and_announced(client_for, conversation, buyer, media):
    room = stream_offset(topic=conversation_topic(conversation.pk))
    response = send(client_for(buyer), conversation, upload(image_bytes()), body="The scratch")
    assert response.status_code == 201, response.json()
    [image] = response.json()["images"]
    assert image["url"].startswith(f"/api/conversations/{conversation.pk}/images/")
    assert image["thumbnail_url"] == image["url"] + "thumbnail/"
    [event] = events_after(conversation_topic(conversation.pk), room)
    assert event["message"]["images"] == [image]
    assert len(stored_files(media)) == 2  # the photo and its thumbnail


def test_a_photo_needs_no_body(client_for, conversation, buyer, seller):
    response = send(client_for(buyer), conversation, upload(image_bytes()))
    assert response.status_code == 201 and response.json()["body"] == ""
    # The bell says what came, not an empty quote.
    assert seller.notifications.get().message.endswith(": a photo")


def test_a_gps_position_in_exif_does_not_survive(client_for, conversation, buyer, seller):
    original = image_bytes(exif=with_gps())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # it was there
    response = send(client_for(buyer), conversation, upload(original))
    image = client_for(seller).get(response.json()["images"][0]["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    content = b"".join(image.streaming_content)
    stored = Image.open(io.BytesIO(content))
    assert stored.format == "JPEG" and stored.size == (64, 48)
    assert not stored.getexif() and "exif" not in stored.info
    assert b"PhoneMaker" not in content and b"Exif" not in content


def test_a_sideways_photo_is_turned_upright_before_its_exif_goes(client_for, conversation, buyer):
    sideways = image_bytes(exif=with_gps(**{str(ORIENTATION): 6}))  # "rotate 90° to show"
    send(client_for(buyer), conversation, upload(sideways))
    image = MessageImage.objects.get()
    assert (image.width, image.height) == (48, 64)


def test_png_transparency_is_kept_and_the_thumbnail_is_small(
    client_for, conversation, buyer, seller
):
    png = image_bytes("PNG", size=(1000, 500), mode="RGBA")
    response = send(client_for(buyer), conversation, upload(png, "a.png", "image/png"))
    urls = response.json()["images"][0]
    full = Image.open(io.BytesIO(b"".join(client_for(seller).get(urls["url"]).streaming_content)))
    assert (full.format, full.mode) == ("PNG", "RGBA")
    thumb_response = client_for(seller).get(urls["thumbnail_url"])
    assert thumb_response["Content-Type"] == "image/webp"
    thumb = Image.open(io.BytesIO(b"".join(thumb_response.streaming_content)))
    assert thumb.size == (320, 160)


def test_webp_is_accepted(client_for, conversation, buyer):
    response = send(client_for(buyer), conversation, upload(image_bytes("WEBP"), "a.webp"))
    assert response.status_code == 201
    assert MessageImage.objects.get().content_type == "image/webp"


@pytest.mark.parametrize(
    "content",
    [
        b"just some text, named like a photo\n" * 10,
        image_bytes()[:200],  # a JPEG cut short
        image_bytes("GIF"),  # an image, not one we keep
    ],
    ids=["text", "truncated", "gif"],
)
def test_what_is_not_a_jpeg_png_or_webp_is_400_naming_images(
    client_for, conversation, buyer, media, content
):
    response = send(client_for(buyer), conversation, upload(content, "photo.jpg", "image/jpeg"))
    assert response.status_code == 400 and "images" in response.json()
    assert not Message.objects.exists() and stored_files(media) == []


def test_an_image_over_the_limit_is_400_naming_images(settings, client_for, conversation, buyer):
    settings.TIDEWIRE = {**getattr(settings, "TIDEWIRE", {}), "CHAT_IMAGE_MAX_BYTES": 1000}
    big = image_bytes("PNG", size=(300, 300), mode="RGB", compress_level=0)
    assert len(big) > 1000
    response = send(client_for(buyer), conversation, upload(big, "big.png", "image/png"))
    assert response.status_code == 400
    assert "at most 1,000" in response.json()["images"][0]
    assert not Message.objects.exists()


def test_the_default_limit_is_ten_megabytes():
    ten_mb = 10 * 1024 * 1024
    assert tidewire_setting("CHAT_IMAGE_MAX_BYTES") == ten_mb
    photos.check_uploads([SimpleNamespace(size=ten_mb)])
    with pytest.raises(photos.PhotoRefused, match="10,485,760"):
        photos.check_uploads([SimpleNamespace(size=ten_mb + 1)])


def test_six_images_are_refused(client_for, conversation, buyer, media):
    files = [upload(image_bytes(), f"{n}.jpg") for n in range(6)]
    response = send(client_for(buyer), conversation, *files)
    assert response.status_code == 400 and "at most 5" in response.json()["images"][0]
    assert stored_files(media) == []


def test_five_images_keep_their_order(client_for, conversation, buyer):
    files = [upload(image_bytes(size=(10 + n, 10)), f"{n}.jpg") for n in range(5)]
    assert send(client_for(buyer), conversation, *files).status_code == 201
    assert [i.width for i in MessageImage.objects.order_by("position")] == [10, 11, 12, 13, 14]


def test_a_stranger_with_the_url_gets_404(client_for, conversation, buyer, seller, stranger):
    response = send(client_for(buyer), conversation, upload(image_bytes()))
    urls = response.json()["images"][0]
    for url in urls.values():
        assert client_for(stranger).get(url).status_code == 404
        assert client_for(seller).get(url).status_code == 200
    # Nor through another conversation's path.
    other_path = urls["url"].replace(f"/conversations/{conversation.pk}/", "/conversations/999/")
    assert client_for(buyer).get(other_path).status_code == 404


def test_a_retried_upload_makes_one_message(client_for, conversation, buyer, media):
    api = client_for(buyer)
    first = send(api, conversation, upload(image_bytes()), client_id="retry-1")
    again = send(api, conversation, upload(image_bytes()), client_id="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Message.objects.count() == 1 and MessageImage.objects.count() == 1
    assert len(stored_files(media)) == 2  # the retry stored nothing


def test_a_blocked_or_stranger_upload_decodes_and_stores_nothing(
    client_for, conversation, buyer, seller, stranger, media
):
    from apps.moderation.services import block_create

    assert send(client_for(stranger), conversation, upload(image_bytes())).status_code == 404
    block_create(blocker=seller, blocked_id=buyer.pk)
    assert send(client_for(buyer), conversation, upload(image_bytes())).status_code == 403
    assert stored_files(media) == []


def test_deleting_the_message_removes_its_photos(
    django_capture_on_commit_callbacks, client_for, conversation, buyer, seller, media
):
    response = send(client_for(buyer), conversation, upload(image_bytes()))
    url = response.json()["images"][0]["url"]
    with django_capture_on_commit_callbacks(execute=True):
        tombstone = edits.message_delete(
            conversation_id=conversation.pk, message_id=response.json()["id"], user=buyer
        )
    assert client_for(seller).get(url).status_code == 404
    assert stored_files(media) == [] and not MessageImage.objects.exists()
    assert tombstone.images.count() == 0


def test_unknown_multipart_fields_are_refused(client_for, conversation, buyer):
    response = send(client_for(buyer), conversation, upload(image_bytes()), sender="1")
    assert response.status_code == 400 and "sender" in response.json()


def test_a_text_only_multipart_send_still_needs_a_body(client_for, conversation, buyer):
    response = client_for(buyer).post(
        f"/api/conversations/{conversation.pk}/messages/",
        {"client_id": "t-1", "body": "  "},
        format="multipart",
    )
    assert response.status_code == 400 and "body" in response.json()


def test_a_photo_larger_than_the_json_body_limit_goes_through(
    settings, client_for, conversation, buyer
):
    big = image_bytes("PNG", size=(1100, 1000), compress_level=0)
    assert len(big) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # 2.5 MiB applies to fields only
    response = send(client_for(buyer), conversation, upload(big, "big.png", "image/png"))
    assert response.status_code == 201, response.json()
