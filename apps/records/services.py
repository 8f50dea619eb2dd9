"""Writes to user records; each one stores its event in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tidewire.publish import publish
from tidewire.text import InvalidText, clean_text

from .events import USER_UPDATE, user_snapshot
from .models import UserRecord
from .topics import USERS_TOPIC

EDITABLE_FIELDS = ("first_name", "last_name")


class VersionConflict(Exception):
    """The record changed since the version the writer saw."""

    def __init__(self, record: UserRecord) -> None:
        super().__init__(f"record {record.pk} is at version {record.version}")
        self.record = record


def _clean_names(names: dict[str, Any]) -> dict[str, str]:
    """Names in NFC; ValueError naming the field for control or direction characters.

    The API and the admin refuse these first, with a message for the user; this
    is for every other caller (shell, commands, other apps), so none stores one.
    """
    cleaned = {}
    for field, value in names.items():
        try:
            cleaned[field] = clean_text(value)
        except InvalidText as error:
            raise ValueError(f"{field} {error}") from None
    return cleaned


def _emit(record: UserRecord, action: str) -> None:
    publish(
        topic=USERS_TOPIC,
        event=USER_UPDATE,
        data={"action": action, "user": user_snapshot(record)},
    )


def user_record_create(*, first_name: str, last_name: str) -> UserRecord:
    """Create a record and announce it (ValueError for a name `clean_text` refuses)."""
    names = _clean_names({"first_name": first_name, "last_name": last_name})
    with transaction.atomic():
        record = UserRecord.objects.create(**names)
        _emit(record, "create")
    return record


def user_record_update(
    *, record_id: int, changes: dict[str, Any], expected_version: int | None = None
) -> UserRecord:
    """Apply changes to editable fields, bump the version and announce the new state.

    Raises UserRecord.DoesNotExist, VersionConflict when `expected_version` is
    given and the record has moved past it, or ValueError for a field that is not
    editable or a name `clean_text` refuses (nothing is written then).
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changes = _clean_names(changes)
    with transaction.atomic():
        record = UserRecord.objects.select_for_update().get(pk=record_id)
        if expected_version is not None and record.version != expected_version:
            raise VersionConflict(record)
        for field, value in changes.items():
            setattr(record, field, value)
        record.version += 1
        record.save()
        _emit(record, "update")
    return record


def user_record_delete(*, record_id: int, expected_version: int | None = None) -> None:
    """Delete a record and announce its last state (VersionConflict as for update)."""
    with transaction.atomic():
        record = UserRecord.objects.select_for_update().get(pk=record_id)
        if expected_version is not None and record.version != expected_version:
            raise VersionConflict(record)
        _emit(record, "delete")
        record.delete()
