"""A real SMTP server for tests (aiosmtpd) on a free port, keeping every email it receives.

An email counts as received when the server answers "250" to its DATA, as with
any mail server: one whose client goes away before that answer is never
accepted (`dropped`). A test can hold the answer to one email (`hold`) to kill
its sender in the middle of that exchange.
"""

from __future__ import annotations

import asyncio
import threading
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
        self.dropped = 0  # emails whose client went away before the answer
        self.held = threading.Event()  # the held email has arrived (and waits)
        self._hold_number: int | None = None
        self._arrived = 0
        self._release: asyncio.Event | None = None
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        """As EMAIL_URL."""
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()  # returns once the server answers

    def stop(self) -> None:
        self._controller.stop()

    def hold(self, number: int) -> None:
        """Answer the `number`-th email from now (1 for the next) only after `release()`."""
        self._hold_number = self._arrived + number
        self.held.clear()

    def release(self) -> None:
        loop = self._controller.loop
        loop.call_soon_threadsafe(lambda: self._release is not None and self._release.set())

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        self._arrived += 1
        if self._arrived == self._hold_number:
            self._release = asyncio.Event()
            self.held.set()
            try:
                await self._release.wait()  # cancelled when the client goes away
            except asyncio.CancelledError:
                self.dropped += 1
                raise
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
