"""Events of the records app, in the seeds' `/ws/user-updates/` format."""

from __future__ import annotations

from typing import Any

from tidewire.events import declare, iso_timestamp

from .models import UserRecord

ACTIONS = ("create", "update", "delete")

USER_SNAPSHOT = {
    "id": int,
    "first_name": str,
    "last_name": str,
    "version": int,
    "created_at": str,
    "updated_at": str,
}

USER_UPDATE = declare(
    "user_update",
    doc="A user record was created, updated or deleted; `user` is its state after the change "
    "(before it, for delete).",
    data={"action": str, "user": USER_SNAPSHOT},
)


def user_snapshot(record: UserRecord) -> dict[str, Any]:
    """The record as both the REST API and the events show it."""
    return {
        "id": record.pk,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "version": record.version,
        "created_at": iso_timestamp(record.created_at),
        "updated_at": iso_timestamp(record.updated_at),
    }
