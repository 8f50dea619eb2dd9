"""A real Celery worker process (`celery -A config worker`) for tests, which may be killed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .child_process import ChildProcess

LOG_TAIL_CHARS = 4000


class CeleryWorker(ChildProcess):
    """One solo-pool worker on `broker`, with the given environment; restartable."""

    def __init__(self, *, env: dict[str, str], broker: str, log_path: Path) -> None:
        self.env = {
            **os.environ,
            **env,
            "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
            "REDIS_URL": broker,
            "PYTHONUNBUFFERED": "1",
        }
        self.log_path = log_path

    def start(self, **extra_env: str) -> None:
        """Start a worker (extra_env: TIDEWIRE_FAULT, for one); tasks wait in Redis meanwhile."""
        with self.log_path.open("ab") as log:
            log.write(b"\n----- worker start -----\n")
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
                 "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                env={**self.env, **extra_env}, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:]
        except FileNotFoundError:
            return "(no worker output)"
