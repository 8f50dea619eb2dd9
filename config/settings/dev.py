"""Development: the embedded default (SQLite, in-process channel layer), debug on."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-8c1f3b2e-4d6a9e0b7c3f1a2d5e8b"  # noqa: F405
TIDEWIRE_DEMO = True
