"""Settings shared by every environment; a deployment changes them through the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from tidewire.conf import overrides_from_environment

from .email_url import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no switch from the environment."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated list from the environment."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "csp",
    "axes",
    "tidewire",
    "apps.accounts",
    "apps.home",
    "apps.records",
    "apps.listings",
    "apps.chat",
    "apps.offers",
    "apps.notifications",
    "apps.mailing",
    "apps.audit",
    "apps.bookings",
    "apps.dashboard",
    "apps.moderation",
]

MIDDLEWARE = [
    "tidewire.request_ids.RequestIdMiddleware",  # first: every later line names the request
    "tidewire.metrics_view.RequestMetricsMiddleware",  # times the whole chain below
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says otherwise (login_not_required);
    # API views answer 401/403 themselves.
    "apps.accounts.middleware.PageLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a login refused for too many failures into
    # its lockout page (apps/accounts/lockouts.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded default is one SQLite file; DATABASE_URL moves to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A connection pool per process (psycopg_pool): under ASGI, Django's persistent
    # connections are not for reuse across requests, and a new PostgreSQL connection
    # per request costs several milliseconds.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),  # DATABASE_URL's own (?sslmode=...)
        # An unreachable host fails the attempt after this many seconds instead of
        # hanging in the kernel's connect (minutes); the pool tries again.
        "connect_timeout": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")),
        "pool": {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX", "10")),
            # How long a request waits for a connection while PostgreSQL is down
            # before it gets 503 (psycopg_pool's default, 30 s, held a sync thread
            # and the client that long: tests/hardening/test_faults.py).
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "5")),
            # psycopg_pool retries a lost connection with a doubling wait for up to
            # 300 s: after a 45 s outage requests kept failing 8 s after PostgreSQL
            # was back. Giving up after 5 s, the next request starts afresh at once
            # (docs/reliability.md, section 3).
            "reconnect_timeout": float(os.environ.get("DATABASE_POOL_RECONNECT_TIMEOUT", "5")),
        },
    }
    # The pool checks a connection before lending it (one empty query): after
    # PostgreSQL restarts, its idle connections are dead, and without the check each
    # failed one request once PostgreSQL was back.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if os.environ.get("PG_SSB"):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(os.environ["PG_SSB"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets page reads go on while a PATCH writes; the busy timeout covers the
    # short overlap of two writers instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # Connections live as long as the threads that hold them (tidewire/sync_threads.py):
    # no file open and function registration per request, no checkpoint on close.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if os.environ.get("PG_SSB"):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(os.environ["PG_SSB"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL switches the channel layer from in-process to Redis, so several server
# processes share one event stream.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "tidewire.layers.PubSubLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    # Each process reads its one hub channel quickly, so a deep queue only absorbs bursts.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "tidewire.layers.LocalLayer",
            "CONFIG": {"capacity": 10_000},
        }
    }

# Periodic jobs (tidewire/jobs.py): with REDIS_URL, Celery runs them (config/celery.py,
# which sets the broker and result backend to REDIS_URL); without it, the server does.
# Results are kept for callers that wait on a task (an operator, the tests), an hour.
CELERY_RESULT_EXPIRES = 3600
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # LOGGING below formats the worker's lines too
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started before Redis waits for it

# Email (apps/mailing): EMAIL_URL configures SMTP (config/settings/email_url.py);
# without it, production uses Django's default (an SMTP server on localhost:25) and
# development keeps every sent mail in the database, listed at /dev/mail/.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(email_settings(EMAIL_URL))
EMAIL_TIMEOUT = 30  # seconds: an SMTP server that hangs fails the attempt (retried later)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tidewire <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in emails point (unsubscribe, the conversation): this site as its users reach it.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# django-axes first: it refuses a locked-out login before ModelBackend spends a
# password hash on it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Password guessing (django-axes; docs/security.md). A username and a client
# address are each locked on their own after AXES_FAILURE_LIMIT failed logins,
# so neither many addresses on one account nor many accounts from one address
# get more guesses. 5 leaves a person room for typos; 15 minutes holds guessing
# to 20 tries an hour per account and per address, and is short enough that
# someone locked out by typos waits rather than calls for help.
AXES_FAILURE_LIMIT = int(os.environ.get("TIDEWIRE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("TIDEWIRE_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Attempts in the database: shared by every process, kept across restarts, listed
# in the admin; the lockout's end is computed from them (apps/accounts/lockouts.py).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# REMOTE_ADDR only, never a client's X-Forwarded-For: uvicorn sets it from the
# forwarded address only for TIDEWIRE_TRUSTED_PROXIES (tidewire/serve.py).
AXES_CLIENT_IP_CALLABLE = "apps.accounts.lockouts.client_address"
# Refused attempts during a lockout are not counted: the lock ends when its answer
# said (Retry-After), and a refusal costs no database write.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the failures: that would let an attacker with one
# account reset the count of the address they guess from.
AXES_RESET_ON_SUCCESS = False
# Successful logins are in the server log already; no table that grows forever.
AXES_DISABLE_ACCESS_LOG = True
# The lockout answer: 429 with Retry-After, as a page (the API answers JSON itself).
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockouts.lockout_response"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from the npm registry into node_modules and are served
# from here, so pages work offline with no CDN.
STATICFILES_DIRS = (
    [("vendor", BASE_DIR / "node_modules")] if (BASE_DIR / "node_modules").exists() else []
)

# The largest request body (without file uploads) Django reads: Django's own default,
# 2.5 MiB, set here so docs/security.md can name it. A record or a chat message is a
# few hundred bytes; past the limit the API answers 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploaded chat photos (apps/chat/photos.py), through default_storage: local files
# here unless STORAGES names another backend (S3: docs/deployment.md#media). Never
# served from a public MEDIA_URL: a view checks that the reader takes part.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Error pages and e-mails leave out credentials, DEBUG or not: passwords in JSON bodies
# and in the traceback's local variables too (Django's own filter covers neither).
DEFAULT_EXCEPTION_REPORTER_FILTER = "tidewire.error_reports.CredentialFilter"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:landing"
LOGOUT_REDIRECT_URL = "home:landing"

# A cache shared by every process when Redis is there: throttle counts must be too.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # One pool per process, not one connection per request (tidewire/redis_pools.py).
            "OPTIONS": {"pool_class": "tidewire.redis_pools.SharedConnectionPool"},
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # orjson within a depth limit: no nesting, number or charset makes a 500.
    "DEFAULT_PARSER_CLASSES": ["tidewire.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "tidewire.openapi.AutoSchema",  # with the refusals
    # Django's refusals while reading a body answer JSON too (413 past the size limit).
    "EXCEPTION_HANDLER": "tidewire.rest_errors.exception_handler",
    # Bearer tokens first, so a request without credentials is answered 401 (with
    # WWW-Authenticate), not 403. Session requests are CSRF-checked by DRF.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.tokens.RevocableJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "tidewire.throttles.UserThrottle",
        "tidewire.throttles.IPThrottle",
        "tidewire.throttles.ScopedThrottle",
    ],
    # A person typing in a window sends at most 4 PATCH a second (250 ms debounce);
    # these leave room for several tabs and stop a runaway script.
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("TIDEWIRE_THROTTLE_USER", "1200/min"),
        "ip": os.environ.get("TIDEWIRE_THROTTLE_IP", "3000/min"),
        # POSTs to the views that hash a password (token, login, sign-up, password
        # change), per client address (per user once logged in). A hash takes
        # ~0.2 s of CPU: at one a second after a burst of 60, one address keeps a
        # login thread at most a fifth busy; an office behind one address still
        # logs in 60 people at once.
        "login": os.environ.get("TIDEWIRE_THROTTLE_LOGIN", "60/min"),
        # Chat messages per user, over REST and sockets together: a person types far
        # fewer; a script flooding a conversation is stopped after a burst of 60.
        "chat_send": os.environ.get("TIDEWIRE_THROTTLE_CHAT_SEND", "60/min"),
    },
    # The client address is REMOTE_ADDR, never the X-Forwarded-For header a client
    # sends (DRF's default joins its whole value into the key, a new one per
    # request); behind a proxy uvicorn rewrites REMOTE_ADDR for trusted proxies only.
    "NUM_PROXIES": 0,
}

SIMPLE_JWT = {
    # Short-lived access tokens: a socket closes (4401) when its token runs out and the
    # browser client refreshes and reconnects.
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "5"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "UPDATE_LAST_LOGIN": False,
    # A refresh token works once: each refresh returns a new one and blacklists the
    # old, so a stolen refresh token stops working after its owner's next refresh.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # Tokens carry a hash of the password and the user's token generation
    # (apps/accounts/tokens.py): a password change or a logout ends them at once.
    "CHECK_REVOKE_TOKEN": True,
    "TOKEN_OBTAIN_SERIALIZER": "apps.accounts.tokens.RevocableTokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "apps.accounts.tokens.RevocableTokenRefreshSerializer",
}

# No inline script anywhere: pages load ES modules from 'self' and embed data as
# JSON (json_script), which the browser does not execute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SPECTACULAR_SETTINGS = {
    "TITLE": "Tidewire API",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "DESCRIPTION": "Records, chat and dashboard over REST; every change is also broadcast live.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several models have a "status": each set of choices gets a name of its own.
    # <id:> path ids (tidewire/ids.py): whole numbers of at most 18 digits.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}
    },
    "ENUM_NAME_OVERRIDES": {
        "ListingStatusEnum": "apps.listings.models.Listing.Status",
        "ReservationStatusEnum": "apps.bookings.models.Reservation.Status",
    },
}

# Tidewire's settings have their defaults, and the reasons for them, in
# tidewire/conf.py; any of them can be set here or as TIDEWIRE_<NAME> in the
# environment (e.g. TIDEWIRE_SOCKET_BUFFER_LIMIT=1048576).
TIDEWIRE = overrides_from_environment(os.environ)
# Sockets refuse exactly the tokens the API refuses (revoked ones included).
TIDEWIRE.setdefault("TOKEN_AUTHENTICATION", "apps.accounts.tokens.RevocableJWTAuthentication")
if REDIS_URL:
    TIDEWIRE["REDIS_URL"] = REDIS_URL  # socket counts shared by every process

# LOG_FORMAT: "plain" lines for a person at a terminal (the default here), or "json",
# one object per line for a log pipeline (production's default, config/settings/prod.py).
# Every line carries the request id and the socket's connection id (tidewire/logs.py),
# and no access token (its value is redacted wherever it appears).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "tidewire.logs.LogContext"},
        "redact": {"()": "tidewire.logs.RedactTokens"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s%(context)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s "
            "%(connection_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes writes several lines per failed login, with the username and
        # address masked; apps.accounts.lockouts logs each lockout with both.
        "axes": {"level": "ERROR"},
        # uvicorn set up its own handlers before Django started; ours replace them so
        # its lines have the same format and redaction.
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Swagger UI and Redoc are served from the sidecar package, not a CDN.
SPECTACULAR_SETTINGS.update(
    {"SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR", "REDOC_DIST": "SIDECAR"}
)
