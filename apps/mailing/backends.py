"""Development's email backend: every sent email kept in the database, listed at /dev/mail/."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend

from .models import MailboxMessage


class MailboxBackend(BaseEmailBackend):
    """Stores each message (text, HTML alternative, headers) instead of sending it."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            alternatives = getattr(message, "alternatives", [])
            html = next((content for content, kind in alternatives if kind == "text/html"), "")
            MailboxMessage.objects.create(
                from_email=message.from_email,
                to=", ".join(message.recipients()),
                subject=message.subject,
                headers={name: str(value) for name, value in message.extra_headers.items()},
                text=message.body,
                html=html,
            )
        return len(email_messages)
