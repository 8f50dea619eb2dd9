from django.contrib import admin

from tidewire.admin import ReadOnlyModelAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    """Read-only: the log is append-only, and only services append to it."""

    list_display = ("created_at", "action", "object_type", "object_id", "actor_name", "source")
    list_filter = ("action", "source", "object_type")
    search_fields = ("message", "actor_name")
    date_hierarchy = "created_at"
