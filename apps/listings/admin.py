from django.contrib import admin

from . import services
from .models import Listing


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    """Listings by status and seller; every save and delete goes through the services."""

    list_display = ("id", "title", "price", "status", "seller", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "description", "seller__username")
    list_select_related = ("seller",)
    raw_id_fields = ("seller",)
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        """The seller is chosen when the listing is created; it never changes hands."""
        return (*self.readonly_fields, "seller") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Save through the services so the change is broadcast like any other."""
        if change:
            changes = {
                f: form.cleaned_data[f] for f in form.changed_data if f in services.EDITABLE_FIELDS
            }
            if changes:
                updated = services.listing_update(listing_id=obj.pk, changes=changes)
                obj.updated_at = updated.updated_at
        else:
            created = services.listing_create(
                seller=obj.seller,
                title=obj.title,
                description=obj.description,
                price=obj.price,
                status=obj.status,
            )
            obj.pk, obj.created_at, obj.updated_at = (
                created.pk,
                created.created_at,
                created.updated_at,
            )

    def delete_model(self, request, obj):
        """Delete through the service so the deletion is broadcast."""
        services.listing_delete(listing_id=obj.pk)

    def delete_queryset(self, request, queryset):
        """Bulk delete one by one, each broadcast."""
        for pk in queryset.values_list("pk", flat=True):
            services.listing_delete(listing_id=pk)
