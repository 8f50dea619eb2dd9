"""The seeds' "User" records: two names edited live from two windows."""

from django.db import models

from tidewire.text import TextValidator

NAME_MAX_LENGTH = 150  # as Django's own first_name/last_name


class UserRecord(models.Model):
    """A person record; `version` grows by one on every change (optimistic concurrency)."""

    # The validators refuse control and direction characters in model forms (the
    # admin); the services also store every name in NFC and refuse the same.
    first_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[TextValidator()])
    last_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[TextValidator()])
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "records_user"
        ordering = ["id"]
        verbose_name = "user record"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or f"record {self.pk}"
