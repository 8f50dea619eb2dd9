"""Keep access tokens out of logs: uvicorn logs each WebSocket path with its query string."""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar

_TOKEN = re.compile(r"(token=)[^&\s\"']+")

# Loggers that print request paths (uvicorn logs WebSocket handshakes on "uvicorn.error").
PATH_LOGGERS = ("uvicorn.access", "uvicorn.error", "django.request", "django.channels.server")


def redact(text: str) -> str:
    """Replace every `token=...` value with `token=[redacted]`."""
    return _TOKEN.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments so no token value is printed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_redaction() -> None:
    """Attach the filter to every logger that prints paths."""
    for name in PATH_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


# -- which request or socket a line is about ---------------------------------------

# Set by tidewire.request_ids.RequestIdMiddleware for an HTTP request and by
# SocketConsumer for a socket's whole life; every log line carries both (or None).
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
connection_id: ContextVar[str | None] = ContextVar("connection_id", default=None)


class LogContext(logging.Filter):
    """Adds `request_id` and `connection_id` to every record (None outside one), and
    `context`: the same as text for a plain line (" [request=… connection=…]", or "")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request = request_id.get()
        record.connection_id = connection = connection_id.get()
        parts = [f"request={request}"] if request else []
        if connection:
            parts.append(f"connection={connection}")
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True
