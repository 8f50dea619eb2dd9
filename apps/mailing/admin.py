from django.contrib import admin

from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Read what was sent, what waits and what failed; rows change only through the send job."""

    list_display = (
        "id",
        "recipient",
        "to_address",
        "kind",
        "status",
        "due_at",
        "sent_at",
        "attempts",
        "subject",
    )
    list_filter = ("status", "kind")
    search_fields = ("key", "recipient__username", "recipient__email", "to_address", "subject")
    date_hierarchy = "due_at"
    raw_id_fields = ("recipient",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
