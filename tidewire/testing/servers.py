"""Real server processes for tests: the project's ASGI application under tidewire.serve.

The project is found as Django finds it: DJANGO_SETTINGS_MODULE (pytest-django
sets it) and that module's ASGI_APPLICATION; processes run in the current
directory, the project's root when tests run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .child_process import ChildProcess
from .redis_server import free_port

VENV_BIN = Path(sys.executable).parent
STDERR_TAIL_LINES = 60


class ServerProcess(ChildProcess):
    """uvicorn on one port with a given environment (database, Redis, faults)."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        log_path: Path,
        port: int | None = None,
        send_buffer: int | None = None,
        args: list[str] | None = None,
    ) -> None:
        self.extra_env = env
        self.args = args or []  # further uvicorn arguments
        self.port = port or free_port()
        # A small kernel send buffer per connection (SO_SNDBUF, inherited from the
        # listening socket): a client that stops reading fills it quickly.
        self.send_buffer = send_buffer
        self.log_path = log_path
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("REDIS_URL", None)
        env.update(
            {"DJANGO_SETTINGS_MODULE": _settings_module(), "PYTHONUNBUFFERED": "1"},
            **self.extra_env,
        )
        return env

    def manage(self, *args: str) -> str:
        """Run a management command with the server's environment; returns its stdout."""
        result = subprocess.run(
            [str(VENV_BIN / "python"), "-m", "django", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"django-admin {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def start(self, *, timeout: float = 20.0) -> None:
        """Start the server (again) on the same port; return once /health/live answers."""
        if self.running:
            return
        self.starts += 1
        command = [str(VENV_BIN / "python"), "-m", "tidewire.serve", _application(), *self.args]
        listener = None
        if self.send_buffer is None:
            command += ["--host", "127.0.0.1", "--port", str(self.port)]
        else:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)
            listener.bind(("127.0.0.1", self.port))
            command += ["--fd", str(listener.fileno())]
        with self.log_path.open("ab") as log:
            log.write(f"\n----- server start #{self.starts} -----\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                env=self.env(),
                stdout=subprocess.DEVNULL,
                stderr=log,
                pass_fds=() if listener is None else (listener.fileno(),),
            )
        if listener is not None:
            listener.close()  # the server holds its own copy
        self._wait_until_live(timeout)

    def _wait_until_live(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"uvicorn exited while starting:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.url}/health/live not ready after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = STDERR_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no server output)"
        return "\n".join(text.splitlines()[-lines:])


def _settings_module() -> str:
    module = os.environ.get("DJANGO_SETTINGS_MODULE")
    if not module:
        raise RuntimeError("DJANGO_SETTINGS_MODULE is not set (pytest-django sets it)")
    return module


def _application() -> str:
    """settings.ASGI_APPLICATION ("config.asgi.application") as uvicorn names it."""
    from django.conf import settings

    module, _, name = settings.ASGI_APPLICATION.rpartition(".")
    return f"{module}:{name}"


class ServerProcesses:
    """The servers one test makes: each logs to its own file, all stopped at the end.

    Their logs' tails are printed when they stop, so pytest shows them beside a
    failure.
    """

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.made: list[ServerProcess] = []

    def new(self, *, env: dict[str, str], **options) -> ServerProcess:
        """A server not started yet (to run management commands on its database first)."""
        server = ServerProcess(
            env=env, log_path=self.log_dir / f"server{len(self.made)}.log", **options
        )
        self.made.append(server)
        return server

    def start(self, *, env: dict[str, str], **options) -> ServerProcess:
        server = self.new(env=env, **options)
        server.start()
        return server

    def stop_all(self) -> None:
        for server in self.made:
            server.stop()
            print(f"--- {server.url} log ---\n{server.log_tail()}")
