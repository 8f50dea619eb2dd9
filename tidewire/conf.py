"""Tidewire's settings: every key has a default here, a project overrides some in `TIDEWIRE`.

A project that sets nothing gets a working core; `settings.TIDEWIRE` (a dict)
overrides single keys. Values are read on each use, so tests and deployments
that change settings are seen at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _sync_threads() -> int:
    # SQLite takes one writer at a time, and a second thread only waits in its busy
    # handler, whose sleeps grow to 100 ms: REST alone measured p99 91 ms with 4
    # threads, 37 ms with 1 (docs/benchmark.md). PostgreSQL serves several.
    engine = settings.DATABASES["default"]["ENGINE"]
    return 1 if engine == "django.db.backends.sqlite3" else 4


DEFAULTS: dict[str, Any] = {
    # Bytes that may wait for one client before it is closed as too slow (4008): a
    # browser that cannot keep up resumes on reconnect instead of growing server
    # memory. 512 KiB is some 1,500 record events.
    "SOCKET_BUFFER_LIMIT": 512 * 1024,
    # Frames a client may send: 20 a second on average, bursts of 40. A page sends
    # a few (subscribe, ping every 20 s, typing every 3 s); more is a bug or abuse.
    "SOCKET_FRAME_RATE": 20.0,
    "SOCKET_FRAME_BURST": 40,
    # Refused frames within this many seconds after which the socket is closed 4429:
    # counted over a window, so a client that floods steadily (and gets some frames
    # through as the bucket refills) is closed too.
    "SOCKET_REFUSAL_WINDOW": 10.0,
    # Open sockets per user and per client address, across processes when Redis is
    # configured. A person has a few tabs with one socket each (plus seed endpoints);
    # an office behind one NAT address has many people.
    "MAX_SOCKETS_PER_USER": 32,
    "MAX_SOCKETS_PER_ADDRESS": 256,
    # A resume longer than this many events gets a `reset` (reload through REST)
    # instead of a replay: a page that was away that long reloads faster anyway.
    "MAX_REPLAY_EVENTS": 2000,
    # Replays a user may ask for: 30 a minute (each tab resumes its topics once per
    # reconnect), counted in the shared cache.
    "REPLAY_RATE": "30/min",
    # Every process compares the topics it follows with the store this often and
    # reads what the channel layer did not bring: the relay for events whose writer
    # died between commit and publish, or that Redis dropped (read once two resyncs
    # in a row find it missing: within two intervals).
    "RESYNC_INTERVAL": 1.0,
    # How long events stay in the store for clients to resume from (7 days), and
    # how often each process trims older ones.
    "RETENTION_SECONDS": 7 * 24 * 3600.0,
    "TRIM_INTERVAL": 600.0,
    # Each process re-announces who is present on its sockets this often; entries
    # of a process not heard from for PRESENCE_TIMEOUT seconds are dropped, so a
    # process that dies leaves nobody "online" for longer than that.
    "PRESENCE_REFRESH": 20.0,
    "PRESENCE_TIMEOUT": 60.0,
    # Seconds between complete garbage collections (tidewire.collector); 0 leaves
    # CPython's own policy.
    "GC_THAW_INTERVAL": 3600.0,
    # Threads that run Django's synchronous code for HTTP requests
    # (tidewire/sync_threads.py); None: chosen by database engine.
    "SYNC_THREADS": None,
    # Threads per process for the views that hash a password (login, sign-up,
    # password change, the token endpoint: tidewire.sync_threads.on_login_threads).
    # A PBKDF2 hash takes ~0.2 s of CPU by design; on threads of their own, a flood
    # of wrong passwords queues there, not in front of every other request. Two:
    # under a flood of 8 clients a GET's p99 stays at 33 ms (2 s with none,
    # docs/benchmark.md). 0 shares the main sync threads (for bench/login_flood.py).
    "LOGIN_THREADS": 2,
    # Origins a WebSocket may come from besides the server's own (exact
    # scheme://host[:port], as CSRF_TRUSTED_ORIGINS, which is honoured too).
    "ALLOWED_ORIGINS": [],
    # Redis shared by every process (socket counts); None: count in this process.
    "REDIS_URL": None,
    # The DRF authentication class whose token validation sockets share, so a token
    # the API refuses (revoked, expired) is refused on a socket too.
    "TOKEN_AUTHENTICATION": "rest_framework_simplejwt.authentication.JWTAuthentication",
    # Who runs the periodic jobs (tidewire/jobs.py): "celery" (a worker and beat on
    # REDIS_URL), "embedded" (each server process, on a thread of its own) or "off"
    # (nobody: tests that run jobs themselves). None: celery with REDIS_URL, else embedded.
    "JOB_RUNNER": None,
    # Seconds a chat message must stay unread before its recipient is emailed
    # (apps/chat/emails.py): long enough that someone at the keyboard reads it
    # first, short enough to matter. Zulip waits 2 minutes, Synapse 10.
    "MISSED_MESSAGE_DELAY": 300,
    # Hours an offer waits for an answer after each move (apps/offers): Delcampe
    # gives 3 days, Vinted's offers lapse sooner; two days covers a weekend away.
    "OFFER_TTL_HOURS": 48,
    # Read notifications older than this many days are purged by a daily job.
    "NOTIFICATION_RETENTION_DAYS": 90,
    # Prometheus metrics (tidewire/metrics.py): "off" counts nothing (the fan-out
    # benchmark compares both). Who may read GET /metrics: anyone when
    # METRICS_PUBLIC is "yes" (development and tests), else a bearer METRICS_TOKEN
    # or a client in METRICS_ALLOW (addresses or networks); nobody when neither is set.
    "METRICS": "on",
    "METRICS_PUBLIC": "no",
    "METRICS_TOKEN": "",
    "METRICS_ALLOW": [],
    # The hour (0-23, UTC) at which owners who chose a daily digest get the day's
    # reservation emails (apps/bookings/emails.py): 7, before a salon opens in Europe.
    "BOOKING_DIGEST_HOUR": 7,
    # Minutes after sending during which a chat message's sender may edit or delete
    # it for everyone (apps/chat/edits.py): issue 14 asks for 15, enough to fix a
    # typo, short enough that an answer is not rewritten under the other person.
    "MESSAGE_EDIT_MINUTES": 15,
    # Bytes a chat photo may have as uploaded (apps/chat/photos.py): issue 14 says
    # 10 MB, a phone camera's full-size JPEG with room to spare. deploy/nginx.conf
    # lets five of them through on the messages endpoint.
    "CHAT_IMAGE_MAX_BYTES": 10 * 1024 * 1024,
}


def _job_runner() -> str:
    return "celery" if tidewire_setting("REDIS_URL") else "embedded"


_COMPUTED = {"SYNC_THREADS": _sync_threads, "JOB_RUNNER": _job_runner}


def tidewire_setting(name: str) -> Any:
    """The value in force for one Tidewire setting: the project's, else the default."""
    if name not in DEFAULTS:
        raise ImproperlyConfigured(f"unknown Tidewire setting {name!r}")
    overrides = getattr(settings, "TIDEWIRE", {})
    value = overrides.get(name, DEFAULTS[name])
    if value is None and name in _COMPUTED:
        return _COMPUTED[name]()
    return value


def check_overrides() -> list[str]:
    """Names in `settings.TIDEWIRE` that Tidewire does not know (typos)."""
    return sorted(set(getattr(settings, "TIDEWIRE", {})) - set(DEFAULTS))


def overrides_from_environment(environ: dict[str, str]) -> dict[str, Any]:
    """`TIDEWIRE_<NAME>` variables as setting overrides, parsed like each default.

    Numbers as numbers, lists comma-separated; for a project's settings module:
    `TIDEWIRE = overrides_from_environment(os.environ)`.
    """
    overrides: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        raw = environ.get(f"TIDEWIRE_{name}")
        if raw is None:
            continue
        if isinstance(default, list):
            overrides[name] = [item.strip() for item in raw.split(",") if item.strip()]
        elif isinstance(default, float):
            overrides[name] = float(raw)
        elif isinstance(default, int) or name == "SYNC_THREADS":
            overrides[name] = int(raw)
        else:
            overrides[name] = raw
    return overrides
