from django.contrib import admin

from tidewire.admin import ThroughServices

from . import services
from .models import Listing


@admin.register(Listing)
class ListingAdmin(ThroughServices):
    """Listings by status and seller; every save and delete goes through the services."""

    service_fields = services.EDITABLE_FIELDS
    list_display = ("id", "title", "price", "status", "seller", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "description", "seller__username")
    list_select_related = ("seller",)
    raw_id_fields = ("seller",)
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        """The seller is chosen when the listing is created; it never changes hands."""
        return (*self.readonly_fields, "seller") if obj is not None else self.readonly_fields

    def create(self, obj, request):
        return services.listing_create(
            seller=obj.seller,
            title=obj.title,
            description=obj.description,
            price=obj.price,
            status=obj.status,
        )

    def update(self, pk, changes, request):
        return services.listing_update(listing_id=pk, changes=changes)

    def delete_one(self, pk, request):
        services.listing_delete(listing_id=pk)
