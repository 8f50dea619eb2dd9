"""The development SECRET_KEY: random for each install, made on first run, kept out of git.

A key committed with the code signs valid tokens and sessions for any user id on
every install that runs it. Production takes its key from the environment
(`config.settings.prod` refuses to start without one); tests keep a fixed one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# 50 random bytes, 67 URL-safe characters: past the 50 characters and 5 distinct
# ones `manage.py check --deploy` asks of a key.
KEY_BYTES = 50


def development_secret_key(path: Path) -> str:
    """The key stored at `path`; made there (random, mode 0600) when the file is missing."""
    if not path.exists():
        _create(path)
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"{path} holds no key: delete it, and the next run makes one")
    return key


def _create(path: Path) -> None:
    # Written in full to a private temporary file, then linked into place: two
    # processes starting at once (make run's migrate and seed_demo, a server)
    # never read half a key, and the first link wins for both.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as file:  # mkstemp makes it 0600
            file.write(secrets.token_urlsafe(KEY_BYTES) + "\n")
        with contextlib.suppress(FileExistsError):  # another process was first: use theirs
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
