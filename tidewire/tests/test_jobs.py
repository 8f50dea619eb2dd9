"""Periodic jobs: declared once; run by Celery (task and beat entry each) or in the server."""

import asyncio
import logging
import threading

import pytest

from tidewire.celery_jobs import celery_app, task_name
from tidewire.jobs import EmbeddedRunner, Job, all_jobs, job_runner, periodic_job
from tidewire.lifespan import Lifespan


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_every_app_s_jobs_are_found_once():
    names = [job.name for job in all_jobs()]
    assert names == sorted(set(names))
    assert {"send_due_emails", "purge_read_notifications", "purge_old_emails"} <= set(names)


def test_a_name_declared_twice_is_refused():
    @periodic_job("test_twice", every=5)
    def first():
        pass

    with pytest.raises(ValueError, match="declared twice"):

        @periodic_job("test_twice", every=5)
        def second():
            pass


# run_job checks its thread's database connection (SQLite's health check).
@pytest.mark.django_db
def test_the_runner_runs_each_job_at_start_then_every_period():
    clock, ran = Clock(), []
    fast = Job("fast", 10, lambda: ran.append("fast"))
    slow = Job("slow", 60, lambda: ran.append("slow"))
    runner = EmbeddedRunner([fast, slow], clock=clock)
    assert runner.run_due() == ["fast", "slow"]
    clock.now += 9.9
    assert runner.run_due() == []
    assert runner.seconds_to_next() == pytest.approx(0.1)
    clock.now += 0.1
    assert runner.run_due() == ["fast"]
    clock.now += 50
    assert runner.run_due() == ["fast", "slow"]
    assert ran == ["fast", "slow", "fast", "fast", "slow"]


# run_job checks its thread's database connection (SQLite's health check).
@pytest.mark.django_db
def test_a_failing_job_is_logged_and_the_others_still_run(caplog):
    def broken():
        raise RuntimeError("boom")

    ran = []
    runner = EmbeddedRunner([Job("broken", 5, broken), Job("fine", 5, lambda: ran.append(1))])
    with caplog.at_level(logging.ERROR, logger="tidewire.jobs"):
        assert runner.run_due() == ["broken", "fine"]
    assert ran == [1]
    assert "job broken failed" in caplog.text


def test_the_runner_thread_runs_jobs_until_stopped():
    calls: list[int] = []
    three = threading.Event()

    def tick():
        calls.append(1)
        if len(calls) == 3:
            three.set()

    runner = EmbeddedRunner([Job("tick", 0.01, tick)])
    runner.start()
    try:
        assert three.wait(5)
    finally:
        runner.stop(timeout=5)
    count = len(calls)
    assert runner._thread is None
    three.wait(0.05)  # a stopped runner runs nothing more
    assert len(calls) == count


def test_who_runs_the_jobs_follows_the_setting(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "JOB_RUNNER": None, "REDIS_URL": None}
    assert job_runner() == "embedded"
    settings.TIDEWIRE["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    assert job_runner() == "celery"
    settings.TIDEWIRE["JOB_RUNNER"] = "cron"
    with pytest.raises(Exception, match="JOB_RUNNER must be one of"):
        job_runner()


def test_celery_has_a_task_and_a_beat_entry_per_job():
    app = celery_app("redis://127.0.0.1:1/0")
    assert app.conf.broker_url == app.conf.result_backend == "redis://127.0.0.1:1/0"
    for job in all_jobs():
        assert task_name(job.name) in app.tasks
        entry = app.conf.beat_schedule[job.name]
        assert entry == {
            "task": task_name(job.name),
            "schedule": job.every,
            "options": {"expires": job.every},
        }


def test_celery_needs_redis():
    with pytest.raises(ValueError, match="REDIS_URL"):
        celery_app("")


async def test_the_lifespan_runs_the_jobs_only_when_embedded(settings, monkeypatch):
    started = []
    monkeypatch.setattr(EmbeddedRunner, "start", lambda self: started.append(self))
    monkeypatch.setattr(EmbeddedRunner, "stop", lambda self, timeout=30: started.remove(self))
    for runner, expected in (("off", 0), ("celery", 0), ("embedded", 1)):
        settings.TIDEWIRE = {**settings.TIDEWIRE, "JOB_RUNNER": runner, "GC_THAW_INTERVAL": 0}
        inbox, sent, answered = asyncio.Queue(), [], asyncio.Event()

        async def send(message, sent=sent, answered=answered):
            sent.append(message["type"])
            answered.set()

        await inbox.put({"type": "lifespan.startup"})
        run = asyncio.create_task(Lifespan()({"type": "lifespan"}, inbox.get, send))
        await asyncio.wait_for(answered.wait(), 5)
        assert len(started) == expected
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(run, 5)
        assert started == [] and sent[-1] == "lifespan.shutdown.complete"
