"""The servers under test: how each is prepared, started, stopped and logged into.

Every start gets a fresh temporary directory (its SQLite file and server log), a
private redis-server on a free port, and a free port of its own. Two targets
share nothing but the machine. `tidewire-pg` uses a fresh database on the
machine's PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432),
dropped when the run ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import httpx

from tidewire.testing.redis_server import RedisServer, free_port, wait_for_port

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
BASELINE_DIR = BENCH_DIR / "baseline"
BIN_DIR = Path(sys.executable).parent  # the virtualenv running the benchmark

SETUP_TIMEOUT = 180  # seconds for one setup command (migrate on a slow disk)
START_TIMEOUT = 60  # seconds for a server to listen
STOP_TIMEOUT = 15  # seconds for a graceful stop before the server is killed

# Set by the environment of whoever runs the benchmark; each target sets its own.
_CLEARED_VARIABLES = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DEBUG", "PYTHONPATH")


@dataclass(frozen=True)
class Credentials:
    """What a client presents: nothing today, a JWT access token once targets need one."""

    token: str | None = None

    def websocket_query(self) -> str:
        """The query string a socket URL carries (`?token=...`), or ''."""
        return f"?token={quote(self.token)}" if self.token else ""

    def http_headers(self) -> dict[str, str]:
        """Headers every REST request carries."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass(frozen=True)
class Workspace:
    """What one server instance has to itself."""

    dir: Path
    port: int
    redis_url: str

    @property
    def database(self) -> Path:
        return self.dir / "db.sqlite3"


@dataclass(frozen=True)
class Target:
    """A server under test, described as commands and environment."""

    name: str
    description: str
    cwd: Path
    environment: Callable[[Workspace], dict[str, str]]
    setup: tuple[tuple[str, ...], ...]  # commands run, in order, before the server starts
    server: Callable[[Workspace], list[str]]
    credentials: Callable[[RunningTarget], Credentials]
    uses_redis: bool = True
    teardown: tuple[tuple[str, ...], ...] = ()  # commands run after the server stopped


class TargetError(RuntimeError):
    """A target could not be prepared or started; the message holds its output."""


@dataclass
class RunningTarget:
    """A started target: its server process, port and private Redis."""

    target: Target
    workspace: Workspace
    environment: dict[str, str]
    process: subprocess.Popen[bytes]
    redis: RedisServer | None
    credentials: Credentials = field(default_factory=Credentials)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def port(self) -> int:
        return self.workspace.port

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workspace.dir / "server.log"

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's output, for error messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def manage(self, *args: str) -> str:
        """Run a command in the target's environment (e.g. to create an account); its output."""
        return _run(self.target, (*args,), self.environment)

    def stop(self) -> None:
        """Stop the server (gracefully, then by force), its Redis, and remove its files."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(STOP_TIMEOUT)
        finally:
            for command in self.target.teardown:
                _run(self.target, command, self.environment)
            if self.redis is not None:
                self.redis.stop()
                shutil.rmtree(self.redis.dir, ignore_errors=True)
            shutil.rmtree(self.workspace.dir, ignore_errors=True)


def _run(target: Target, command: tuple[str, ...], environment: dict[str, str]) -> str:
    argv = [sys.executable, *command] if command[0].endswith(".py") else list(command)
    result = subprocess.run(
        argv,
        cwd=target.cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise TargetError(
            f"{target.name}: {' '.join(command)} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}{result.stderr[-4000:]}"
        )
    return result.stdout


def start(target: Target) -> RunningTarget:
    """Prepare a fresh workspace, run the setup commands and start the server."""
    try:
        redis = RedisServer() if target.uses_redis else None
    except RuntimeError as error:  # no redis-server binary
        raise TargetError(f"{target.name}: {error}") from error
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{target.name}-"))
    try:
        if redis is not None:
            redis.start()
        workspace = Workspace(
            dir=workdir, port=free_port(), redis_url=redis.url if redis is not None else ""
        )
        environment = {k: v for k, v in os.environ.items() if k not in _CLEARED_VARIABLES}
        # Where setup commands leave what the clients need (bench.chat's credentials).
        environment["BENCH_WORKDIR"] = str(workdir)
        environment.update(target.environment(workspace))
        for command in target.setup:
            _run(target, command, environment)
        with open(workdir / "server.log", "wb") as log:
            process = subprocess.Popen(
                target.server(workspace),
                cwd=target.cwd,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    except BaseException:
        if redis is not None:
            redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    running = RunningTarget(target, workspace, environment, process, redis)
    try:
        wait_for_port(workspace.port, timeout=START_TIMEOUT)
        if process.poll() is not None:
            raise TargetError(f"{target.name} exited at start:\n{running.log_tail()}")
        running.credentials = target.credentials(running)
    except BaseException as error:
        tail = running.log_tail()
        running.stop()
        if isinstance(error, TimeoutError):
            raise TargetError(f"{target.name} did not start:\n{tail}") from error
        raise
    return running


# --- Credentials: one function per target ------------------------------------------------


def baseline_credentials(running: RunningTarget) -> Credentials:
    """The seed has no authentication."""
    return Credentials()


# A demo account seed_demo creates (development settings only), allowed to edit records.
TIDEWIRE_ACCOUNT = {"username": "admin", "password": "tidewire-admin"}


def tidewire_credentials(running: RunningTarget) -> Credentials:
    """A JWT access token for a demo account, as a client logs in: POST /api/auth/token/."""
    response = httpx.post(
        f"{running.origin}/api/auth/token/", json=TIDEWIRE_ACCOUNT, timeout=START_TIMEOUT
    )
    response.raise_for_status()
    return Credentials(token=response.json()["access"])


def no_credentials(running: RunningTarget) -> Credentials:
    """The null server checks nothing."""
    return Credentials()


# --- The targets ----------------------------------------------------------------------------

MIGRATE = ("manage.py", "migrate", "--noinput")
PGDB = (str(BIN_DIR / "python"), "-m", "bench.pgdb")  # + create|drop


def _daphne(ws: Workspace) -> list[str]:
    return [
        str(BIN_DIR / "daphne"),
        "--bind", "127.0.0.1",
        "--port", str(ws.port),
        "--verbosity", "0",  # no access log, as uvicorn runs below
        "poc_project.asgi:application",
    ]  # fmt: skip


def _uvicorn(ws: Workspace) -> list[str]:
    # config.serve is uvicorn with Tidewire's options, as make run and deployments use it.
    return [
        str(BIN_DIR / "python"), "-m", "config.serve",
        "--host", "127.0.0.1",
        "--port", str(ws.port),
        "--no-access-log",  # as Daphne runs above
        "--log-level", "warning",
    ]  # fmt: skip


BASELINE = Target(
    name="baseline",
    description="the seeds' pattern: Daphne, DRF view + group_send, RedisChannelLayer, "
    "a json.dumps per consumer",
    cwd=BASELINE_DIR,
    environment=lambda ws: {
        "DJANGO_SETTINGS_MODULE": "poc_project.settings",
        "BASELINE_DB_PATH": str(ws.database),
        "REDIS_URL": ws.redis_url,
    },
    setup=(MIGRATE, ("manage.py", "seed_users")),
    server=_daphne,
    credentials=baseline_credentials,
)

TIDEWIRE = Target(
    name="tidewire",
    description="Tidewire: python -m config.serve (uvicorn), Redis configured, seed endpoints",
    cwd=PROJECT_DIR,
    environment=lambda ws: {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{ws.database}",
        "REDIS_URL": ws.redis_url,
        # The benchmark writes as fast as it can from one account: measure the
        # server, not its rate limits (which stay on, with room to spare).
        "TIDEWIRE_THROTTLE_USER": "1000000/min",
        "TIDEWIRE_THROTTLE_IP": "1000000/min",
        # Tokens outlive a run (the default, 5 minutes, could end mid-scenario).
        "JWT_ACCESS_MINUTES": "120",
        # Every benchmark socket is one account from one address: lift the caps on
        # open sockets (32 per user, 256 per address) past the 10,000 of bench.idle.
        "TIDEWIRE_MAX_SOCKETS_PER_USER": "1000000",
        "TIDEWIRE_MAX_SOCKETS_PER_ADDRESS": "1000000",
    },
    setup=(MIGRATE, ("manage.py", "seed_demo")),
    server=_uvicorn,
    credentials=tidewire_credentials,
)

TIDEWIRE_TWO_PROCESSES = replace(
    TIDEWIRE,
    name="tidewire-2p",
    description="Tidewire as above, two server processes (--workers 2) sharing one Redis",
    server=lambda ws: [*_uvicorn(ws), "--workers", "2"],
)

TIDEWIRE_NO_METRICS = replace(
    TIDEWIRE,
    name="tidewire-nometrics",
    description="Tidewire as above with metrics off (TIDEWIRE_METRICS=off): what counting costs",
    environment=lambda ws: {**TIDEWIRE.environment(ws), "TIDEWIRE_METRICS": "off"},
)

POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

TIDEWIRE_POSTGRES = replace(
    TIDEWIRE,
    name="tidewire-pg",
    description="Tidewire as above on PostgreSQL (the production database), one process",
    environment=lambda ws: {
        **TIDEWIRE.environment(ws),
        "DATABASE_URL": f"{POSTGRES_SERVER}/tidewire_bench_{ws.port}",
    },
    setup=((*PGDB, "create"), *TIDEWIRE.setup),
    teardown=((*PGDB, "drop"),),
)

NULL = Target(
    name="null",
    description="a do-nothing fan-out server (bench/nullserver.py): the load generator's ceiling",
    cwd=PROJECT_DIR,
    environment=lambda ws: {},
    setup=(),
    server=lambda ws: [sys.executable, "-m", "bench.nullserver", "--port", str(ws.port)],
    credentials=no_credentials,
    uses_redis=False,
)

TARGETS = {
    target.name: target
    for target in (
        BASELINE,
        TIDEWIRE,
        TIDEWIRE_TWO_PROCESSES,
        TIDEWIRE_NO_METRICS,
        TIDEWIRE_POSTGRES,
        NULL,
    )
}
