import json
import re

import pytest

from apps.records import services

pytestmark = pytest.mark.django_db


def input_tag(html, field):
    return re.search(rf'<input id="{field}"[^>]*>', html).group(0)


@pytest.mark.parametrize(("path", "editable", "readonly"), [
    ("/window1/", "first_name", "last_name"),
    ("/window2/", "last_name", "first_name"),
])  # fmt: skip
def test_window_embeds_records_and_marks_the_read_only_field(
    client, editor, path, editable, readonly
):
    client.force_login(editor)
    record = services.user_record_create(first_name="Ada", last_name="<b>Lovelace</b>")
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "readonly" in input_tag(html, readonly)
    assert "readonly" not in input_tag(html, editable)
    assert "<b>Lovelace</b>" not in html  # user content is escaped
    embedded = response.context["records"]
    assert embedded[0]["id"] == record.pk
    assert json.loads(json.dumps(embedded))[0]["last_name"] == "<b>Lovelace</b>"


def test_landing_links_every_part(client):
    html = client.get("/").content.decode()
    for href in ["/window1/", "/window2/", "/api/docs/", "/admin/"]:
        assert f'href="{href}"' in html


@pytest.mark.parametrize("path", ["/window1/", "/window2/"])
def test_every_name_input_takes_its_direction_from_its_text(client, editor, path):
    # dir="auto": a right-to-left name shows right to left and reorders nothing around it.
    client.force_login(editor)
    html = client.get(path).content.decode()
    for field in ("first_name", "last_name", "new_first_name", "new_last_name"):
        assert 'dir="auto"' in input_tag(html, field)
    assert re.search(r'<span[^>]*id="whoami"[^>]*dir="auto"', html)
