"""Tests: fast hashing, the embedded default unless the suite asks for Redis or PostgreSQL."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-0b7e4f2a9c1d8e6f3a5b7c9d"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TIDEWIRE_DEMO = True
# Uploads of the tests (and of the servers they start) go to a scratch folder.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="tidewire-media-"))
# Serve static files straight from the apps and node_modules (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests run the periodic jobs themselves (or set JOB_RUNNER to test a runner).
TIDEWIRE.setdefault("JOB_RUNNER", "off")  # noqa: F405
# Topics the core's tests follow in real server processes.
INSTALLED_APPS = [*INSTALLED_APPS, "tidewire.testing"]  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: that one is a single lock, and
    # the embedded default's concurrent writers (WAL, IMMEDIATE transactions) are
    # tested as they run in `make run`.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
# GET /metrics open to anyone here (production asks for a token or an allowed network).
TIDEWIRE.setdefault("METRICS_PUBLIC", "yes")  # noqa: F405
