"""Development: the embedded default (SQLite, in-process channel layer), debug on."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, env_bool
from .secret_key import development_secret_key

DEBUG = env_bool("DEBUG", True)
# SECRET_KEY from the environment wins; otherwise a random key of this install's
# own, made on first run in a file git ignores.
SECRET_KEY = SECRET_KEY or development_secret_key(  # noqa: F405
    Path(os.environ.get("TIDEWIRE_SECRET_KEY_FILE", BASE_DIR / ".secret_key"))
)
TIDEWIRE_DEMO = True
# No EMAIL_URL: sent mail stays in the database for /dev/mail/ (apps/mailing/dev_urls.py).
if not EMAIL_URL:  # noqa: F405
    EMAIL_BACKEND = "apps.mailing.backends.MailboxBackend"
ROOT_URLCONF = "config.dev_urls"
# GET /metrics open to anyone here (production asks for a token or an allowed network).
TIDEWIRE.setdefault("METRICS_PUBLIC", "yes")  # noqa: F405
