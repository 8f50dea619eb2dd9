"""Businesses and reservations in Django admin: every save and delete goes through the services
as `Actor.admin(request)`, so an edit here is broadcast, audited (source "admin") and emailed
like any other."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from apps.audit.services import Actor
from tidewire.admin import ReadOnlyModelAdmin, ThroughServices

from . import services
from .models import Business, OwnerEmailSettings, Reservation
from .values import BUSINESS_FIELDS, RESERVATION_FIELDS, clean


class ServiceCheckedForm(forms.ModelForm):
    """Runs the services' own checks too, so what they refuse (an inactive owner) is a form
    error on its field, not a server error on save."""

    service_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        for field in self.service_fields:
            if field in cleaned:
                try:
                    clean({field: cleaned[field]}, (field,))
                except ValueError as error:
                    self.add_error(field, str(error))
        return cleaned


class BusinessForm(ServiceCheckedForm):
    service_fields = BUSINESS_FIELDS


class ReservationForm(ServiceCheckedForm):
    service_fields = RESERVATION_FIELDS


@admin.register(Business)
class BusinessAdmin(ThroughServices):
    form = BusinessForm
    service_fields = BUSINESS_FIELDS
    list_display = ("id", "name", "subdomain", "owner", "created_at")
    search_fields = ("name", "subdomain", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at")

    def create(self, obj, request):
        return services.business_create(
            name=obj.name, subdomain=obj.subdomain, owner=obj.owner, actor=Actor.admin(request)
        )

    def update(self, pk, changes, request):
        return services.business_update(business_id=pk, changes=changes, actor=Actor.admin(request))

    def delete_one(self, pk, request):
        services.business_delete(business_id=pk, actor=Actor.admin(request))


@admin.register(Reservation)
class ReservationAdmin(ThroughServices):
    form = ReservationForm
    service_fields = RESERVATION_FIELDS
    list_display = ("id", "customer_name", "service", "starts_at", "status", "business")
    list_filter = ("status",)
    search_fields = ("customer_name", "customer_email", "service", "business__name")
    list_select_related = ("business",)
    raw_id_fields = ("business",)
    readonly_fields = ("created_at", "updated_at", "cancelled_at")
    date_hierarchy = "starts_at"

    def get_readonly_fields(self, request, obj=None):
        """A reservation stays at the business it was made at."""
        return (*self.readonly_fields, "business") if obj is not None else self.readonly_fields

    def create(self, obj, request):
        values = {f: getattr(obj, f) for f in RESERVATION_FIELDS}
        return services.reservation_create(
            business_id=obj.business_id, **values, actor=Actor.admin(request)
        )

    def update(self, pk, changes, request):
        return services.reservation_update(
            reservation_id=pk, changes=changes, actor=Actor.admin(request)
        )

    def delete_one(self, pk, request):
        services.reservation_delete(reservation_id=pk, actor=Actor.admin(request))


@admin.register(OwnerEmailSettings)
class OwnerEmailSettingsAdmin(ReadOnlyModelAdmin):
    """Each owner chooses for themselves (`/api/bookings/email-settings/`)."""

    list_display = ("owner", "delivery")
    list_filter = ("delivery",)
    search_fields = ("owner__username",)
