"""A kind and renderers of the tests' own, and people to email."""

import pytest

from apps.mailing.renderers import Cancel, Letter, register_renderer
from apps.notifications.kinds import register_kind

# Names of their own: the notification center's tests register "test_note" and others.
NOTE = register_kind("test_mail_note", "Test mail notes")
RECEIPT = register_kind("test_mail_receipt", "Test mail receipts", essential=True)


@register_renderer("test.note")
def render_note(email, *, now):
    """The recipient's first name as it is at send time (or nothing to say without one)."""
    email.recipient.refresh_from_db()
    name = email.recipient.first_name
    if not name:
        return Cancel("no name to greet")
    return Letter(
        subject=f"Note for {name}",
        text=f"Hello {name}, {email.context.get('text', '')}",
        html=f"<p>Hello <b>{name}</b></p>",
    )


@pytest.fixture
def ada(db):
    from django.contrib.auth.models import User

    return User.objects.create_user(
        username="ada", password="ada-pass-1", email="ada@example.com", first_name="Ada"
    )


@pytest.fixture
def schedule(ada):
    """Schedule a test note to `ada` (or another user): `schedule(key, due_at, **options)`."""
    from apps.mailing.scheduling import email_schedule

    def make(key, due_at, *, recipient=None, kind="test_mail_note", **options):
        return email_schedule(
            recipient_id=(recipient or ada).pk,
            kind=kind,
            renderer="test.note",
            key=key,
            due_at=due_at,
            **options,
        )

    return make


@register_renderer("test.receipt")
def render_receipt(email, *, now):
    """A receipt to whoever it goes to, listing the facts it carries."""
    facts = ", ".join(str(fact) for fact in email.context.get("facts", []))
    return Letter(subject="Receipt", text=f"Facts: {facts}", html=f"<p>{facts}</p>")
