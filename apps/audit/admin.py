from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, and only services append to it."""

    list_display = ("created_at", "action", "object_type", "object_id", "actor_name", "source")
    list_filter = ("action", "source", "object_type")
    search_fields = ("message", "actor_name")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
