"""Writing the audit log: services call `audit_record` inside their own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from tidewire.publish import in_writer_transaction

from .models import AuditEntry, Source


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and from where; services take one and write it to the log."""

    user: AbstractBaseUser | AnonymousUser | None = None
    source: str = Source.SHELL

    @classmethod
    def api(cls, request: Any) -> Actor:
        return cls(user=request.user, source=Source.API)

    @classmethod
    def admin(cls, request: Any) -> Actor:
        return cls(user=request.user, source=Source.ADMIN)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None and self.user.is_authenticated else None

    @property
    def name(self) -> str:
        if self.user is not None and self.user.is_authenticated:
            return self.user.get_username()
        return ""


SHELL = Actor()  # services called from code: the shell, a command, the demo data
JOB = Actor(source=Source.JOB)


class OutsideTransaction(RuntimeError):
    """`audit_record` ran outside the writing service's transaction."""


def _entry(actor: Actor, now, **fields: Any) -> AuditEntry:
    return AuditEntry(
        created_at=now,
        actor_id=actor.user_id,
        actor_name=actor.name,
        source=actor.source,
        **{**fields, "message": fields["message"][:500]},
    )


def _check(actor: Actor, what: str) -> None:
    if not in_writer_transaction():
        raise OutsideTransaction(
            f"{what} must run inside the writing service's transaction.atomic()"
        )
    if actor.source not in Source.values:
        raise ValueError(f"unknown source {actor.source!r}")


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: int,
    message: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    business_id: int | None = None,
) -> AuditEntry:
    """Append one entry; it commits, or rolls back, with the change it describes."""
    _check(actor, f"audit_record({action!r})")
    entry = _entry(
        actor,
        timezone.now(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        business_id=business_id,
        message=message,
        before=before,
        after=after,
    )
    entry.save()
    return entry


def audit_record_many(*, actor: Actor, entries: list[dict[str, Any]]) -> list[AuditEntry]:
    """Append the entries of one change at once (an import): `audit_record`'s fields each."""
    _check(actor, "audit_record_many")
    now = timezone.now()
    return AuditEntry.objects.bulk_create([_entry(actor, now, **fields) for fields in entries])
