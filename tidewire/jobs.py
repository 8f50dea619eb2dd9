"""Periodic jobs: each declared once, run by Celery with REDIS_URL or by the server itself.

An app declares its jobs in its `jobs.py` (found at first use, like admin.py):

    @periodic_job("send_due_emails", every=15)
    def send_due_emails() -> dict: ...

Who runs them is the `JOB_RUNNER` setting: "celery" (the default with REDIS_URL)
makes a task of each job and beat's schedule from their periods
(tidewire/celery_jobs.py, `celery -A config worker` and `celery -A config beat`);
"embedded" (the default without) runs the due jobs in every server process, on a
thread of its own started by the ASGI lifespan (`EmbeddedRunner`). Either way a
job may run twice, or in two processes at once: every job must be safe to.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connections
from django.utils.module_loading import autodiscover_modules

from .conf import tidewire_setting

logger = logging.getLogger(__name__)

RUNNERS = ("celery", "embedded", "off")


@dataclass(frozen=True)
class Job:
    """A plain function to run every `every` seconds."""

    name: str
    every: float
    function: Callable[[], Any]


_JOBS: dict[str, Job] = {}
_discovered = False


def periodic_job(name: str, *, every: float) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Declare a job (a decorator); its name is its Celery task's and its log lines'."""
    if every <= 0:
        raise ValueError("a job's period must be positive")

    def declare(function: Callable[[], Any]) -> Callable[[], Any]:
        if name in _JOBS and _JOBS[name].function is not function:
            raise ValueError(f"periodic job {name!r} is declared twice")
        _JOBS[name] = Job(name=name, every=float(every), function=function)
        return function

    return declare


def all_jobs() -> list[Job]:
    """Every declared job, by name (importing each installed app's `jobs` module once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True
    return sorted(_JOBS.values(), key=lambda job: job.name)


def get_job(name: str) -> Job:
    for job in all_jobs():
        if job.name == name:
            return job
    raise KeyError(f"no periodic job {name!r}")


def job_runner() -> str:
    """Who runs the jobs here: "celery", "embedded" or "off"."""
    runner = tidewire_setting("JOB_RUNNER")
    if runner not in RUNNERS:
        raise ImproperlyConfigured(f"TIDEWIRE JOB_RUNNER must be one of {RUNNERS}, not {runner!r}")
    return runner


def run_job(job: Job) -> Any:
    """Run a job once on this thread with fresh database connections; its result, logged."""
    close_old_connections()
    started = time.monotonic()
    try:
        result = job.function()
    finally:
        close_old_connections()
    logger.debug("job %s ran in %.3f s: %s", job.name, time.monotonic() - started, result)
    return result


class EmbeddedRunner:
    """Runs jobs in this process, each when due, one at a time on one thread.

    Every job runs at start (emails that fell due while the server was down go
    out at once), then every `every` seconds. `clock` is injectable so tests
    step time themselves; `run_due` is the whole schedule.
    """

    def __init__(
        self, jobs: Iterable[Job] | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.jobs = list(all_jobs() if jobs is None else jobs)
        self._clock = clock
        self._next: dict[str, float] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self) -> list[str]:
        """Run each job that is due now; the names of those that ran."""
        now = self._clock()
        ran = []
        for job in self.jobs:
            if self._next.get(job.name, now) > now:
                continue
            self._next[job.name] = now + job.every
            try:
                run_job(job)
            except Exception:  # the next run tries again; the others still run
                logger.exception("job %s failed", job.name)
            ran.append(job.name)
        return ran

    def seconds_to_next(self) -> float:
        now = self._clock()
        return max(
            0.0, min((self._next.get(job.name, now) for job in self.jobs), default=60.0) - now
        )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="tidewire-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the job running now, if any (blocks up to `timeout` seconds)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                self.run_due()
                self._stopping.wait(self.seconds_to_next())
        finally:
            connections.close_all()  # this thread's own
