"""Django admin pieces the apps share."""

from __future__ import annotations

from typing import Any

from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Rows to read, never to add, change or delete here (services own every write)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ThroughServices(admin.ModelAdmin):
    """Saves and deletes (bulk ones one by one) through a subclass's `create`, `update` and
    `delete_one`, each calling a service, so an edit here is broadcast like any other.

    Only `service_fields` are handed to `update`, and only those the form changed:
    saving without a change writes nothing.
    """

    service_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        if change:
            changes = {
                f: form.cleaned_data[f] for f in form.changed_data if f in self.service_fields
            }
            if not changes:
                return
            saved = self.update(obj.pk, changes, request)
        else:
            saved = self.create(obj, request)
        # The admin goes on with `obj` (its messages, the redirect): give it what was stored.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))

    def delete_model(self, request, obj):
        self.delete_one(obj.pk, request)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            self.delete_one(pk, request)

    def create(self, obj: Any, request: Any) -> Any:
        raise NotImplementedError

    def update(self, pk: int, changes: dict[str, Any], request: Any) -> Any:
        raise NotImplementedError

    def delete_one(self, pk: int, request: Any) -> None:
        raise NotImplementedError
