"""The moderation queue in Django admin: reports for super admins to read and resolve."""

from django.contrib import admin, messages
from django.http import HttpRequest

from tidewire.admin import ReadOnlyModelAdmin

from . import services
from .models import Block, Report


class SuperAdminsOnly:
    """Reports quote private messages: only super admins see them, whatever staff permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(Report)
class ReportAdmin(SuperAdminsOnly, ReadOnlyModelAdmin):
    list_display = ("id", "created_at", "status", "reporter", "sender", "reason", "body_reported")
    list_filter = ("status", "created_at")
    search_fields = ("reason", "body_reported", "reporter__username", "message__sender__username")
    list_select_related = ("reporter", "message__sender")
    date_hierarchy = "created_at"
    actions = ["resolve"]

    @admin.display(description="sender of the message")
    def sender(self, report: Report):
        return report.message.sender

    @admin.action(description="Resolve the selected reports")
    def resolve(self, request: HttpRequest, queryset) -> None:
        count = services.reports_resolve(
            report_ids=list(queryset.values_list("pk", flat=True)), moderator=request.user
        )
        self.message_user(request, f"{count} report(s) resolved.", messages.SUCCESS)


@admin.register(Block)
class BlockAdmin(SuperAdminsOnly, ReadOnlyModelAdmin):
    list_display = ("id", "created_at", "blocker", "blocked")
    search_fields = ("blocker__username", "blocked__username")
    list_select_related = ("blocker", "blocked")
