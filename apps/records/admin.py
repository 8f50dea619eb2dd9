from django.contrib import admin

from . import services
from .models import UserRecord


@admin.register(UserRecord)
class UserRecordAdmin(admin.ModelAdmin):
    """Read and search records; edits belong to the windows and the API, which broadcast them."""

    list_display = ("id", "first_name", "last_name", "version", "updated_at")
    search_fields = ("first_name", "last_name")
    readonly_fields = ("version", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        """Save through the services so the change is broadcast like any other."""
        if change:
            changes = {
                f: form.cleaned_data[f] for f in form.changed_data if f in services.EDITABLE_FIELDS
            }
            if changes:
                updated = services.user_record_update(record_id=obj.pk, changes=changes)
                obj.version, obj.updated_at = updated.version, updated.updated_at
        else:
            created = services.user_record_create(
                first_name=obj.first_name, last_name=obj.last_name
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        """Delete through the service so the deletion is broadcast."""
        services.user_record_delete(record_id=obj.pk)

    def delete_queryset(self, request, queryset):
        """Bulk delete one by one, each broadcast."""
        for pk in queryset.values_list("pk", flat=True):
            services.user_record_delete(record_id=pk)
