"""Every stylesheet and script a page links is served (vendor files come from npm)."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders

TEMPLATES = [
    *Path(__file__).resolve().parents[3].glob("templates/**/*.html"),
    *Path(__file__).resolve().parents[3].glob("apps/*/templates/**/*.html"),
]
STATIC_TAG = re.compile(r"""{%\s*static\s+'([^']+)'\s*%}""")


def test_every_static_file_a_template_names_is_found():
    named = {name for path in TEMPLATES for name in STATIC_TAG.findall(path.read_text())}
    assert "vendor/bootstrap/dist/css/bootstrap.min.css" in named
    missing = sorted(name for name in named if finders.find(name) is None)
    assert missing == [], f"not served (run `npm ci`?): {missing}"
