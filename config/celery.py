"""Celery for Tidewire's periodic jobs, on REDIS_URL (docs/deployment.md#background-jobs).

    celery -A config worker --loglevel INFO   # runs the jobs' tasks
    celery -A config beat --loglevel INFO     # sends each job's task every period (one beat)

Without REDIS_URL there is no worker: each server process runs the jobs itself.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django.setup()

from django.conf import settings  # noqa: E402

from tidewire.celery_jobs import celery_app  # noqa: E402

app = celery_app(settings.REDIS_URL)
