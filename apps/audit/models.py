"""The audit log: one row per change, who made it, from where, and the object before and after.

Append-only. The model refuses to update or delete a row, the admin shows rows
read-only, and on PostgreSQL a trigger refuses UPDATE and DELETE from any
client (migration 0002). The actor is kept as an id and a name, not a foreign
key: deleting a user must not rewrite (or cascade into) the log.
"""

from django.db import models


class AppendOnly(Exception):
    """Something tried to change or delete an audit entry."""


class Source(models.TextChoices):
    """Where a change came from."""

    API = "api"  # the REST API (a person or a program with a token)
    ADMIN = "admin"  # Django admin
    JOB = "job"  # a background job
    SHELL = "shell"  # code calling the services directly (manage.py shell, commands, demo)


class AuditEntry(models.Model):
    created_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)  # None: no user (a job, the shell)
    actor_name = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    action = models.CharField(max_length=50)  # the event's type, e.g. "reservation_updated"
    object_type = models.CharField(max_length=50)  # "business", "reservation"
    object_id = models.BigIntegerField()
    # The business the change belongs to: owners see their businesses' entries.
    business_id = models.BigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500)
    before = models.JSONField(null=True, blank=True)  # None for a creation
    after = models.JSONField(null=True, blank=True)  # None for a deletion

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["action", "-id"], name="audit_action"),
            models.Index(fields=["business_id", "-id"], name="audit_business"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type} {self.object_id}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries are never deleted")

    @property
    def changed_fields(self) -> list[str]:
        """The fields whose value differs between before and after (all of them for a create)."""
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
