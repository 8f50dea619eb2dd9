"""The periodic jobs (tidewire/jobs.py) as a Celery application on Redis.

Each job is a task named `tidewire.job.<name>`; beat sends each every job's
period. A task that waited in the queue longer than one period is dropped
(`expires`): the next one does the same work, so a worker that was down does
not come back to a pile of identical runs.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from .jobs import Job, all_jobs, run_job

TASK_PREFIX = "tidewire.job."


def task_name(job_name: str) -> str:
    return f"{TASK_PREFIX}{job_name}"


def celery_app(redis_url: str, *, name: str = "tidewire") -> Celery:
    """A Celery app with a task per job and beat's schedule; broker and results on Redis.

    Other Celery options come from Django settings named CELERY_* (config/settings/base.py).
    """
    if not redis_url:
        raise ValueError("Celery runs the jobs on Redis: set REDIS_URL")
    app = Celery(name)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=redis_url, result_backend=redis_url)
    schedule = {}
    for job in all_jobs():
        _register(app, job)
        schedule[job.name] = {
            "task": task_name(job.name),
            "schedule": job.every,
            "options": {"expires": job.every},
        }
    app.conf.beat_schedule = schedule
    return app


def _register(app: Celery, job: Job) -> None:
    def run() -> Any:
        return run_job(job)

    run.__name__ = run.__qualname__ = job.name
    run.__doc__ = job.function.__doc__
    # shared=False: the task belongs to this app only. Shared tasks are added to every
    # Celery app made afterwards in the process (`manage.py doctor` makes one to ping
    # the workers), each time as another callable under the same name.
    app.task(name=task_name(job.name), shared=False)(run)
