"""Reads of user records."""

from django.db.models import QuerySet

from .models import UserRecord


def user_record_list() -> QuerySet[UserRecord]:
    """Every record, oldest first."""
    return UserRecord.objects.order_by("id")


def user_record_get(*, record_id: int) -> UserRecord:
    """One record; raises UserRecord.DoesNotExist."""
    return UserRecord.objects.get(pk=record_id)
