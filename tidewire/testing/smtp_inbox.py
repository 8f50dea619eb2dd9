"""A real SMTP server for tests (aiosmtpd) on a free port, keeping every email it receives."""

from __future__ import annotations

import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from .redis_server import free_port


class SmtpInbox:
    """Accepts every email on 127.0.0.1 and keeps it parsed (`messages`) with its envelope."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        """As EMAIL_URL."""
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()  # returns once the server answers

    def stop(self) -> None:
        self._controller.stop()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, *, timeout: float = 10.0) -> list[EmailMessage]:
        """The emails once `count` have arrived (TimeoutError if they do not in time)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.messages)} of {count} emails after {timeout}s")
            time.sleep(0.05)
        return list(self.messages)
