"""A password hasher a test holds mid-hash, as a slow PBKDF2 hash holds its thread."""

import threading

from django.contrib.auth.hashers import MD5PasswordHasher

started = threading.Event()  # set when a hash begins
release = threading.Event()  # the hash ends once this is set


class HeldHasher(MD5PasswordHasher):
    """MD5, waiting for `release` (10 s at most) before each hash."""

    algorithm = "held_md5"

    def encode(self, password: str, salt: str) -> str:
        started.set()
        release.wait(10)
        return super().encode(password, salt)
