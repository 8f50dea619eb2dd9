"""Businesses and reservations in Django admin: every save and delete goes through the services
as `Actor.admin(request)`, so an edit here is broadcast, audited (source "admin") and emailed
like any other."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from apps.audit.services import Actor
from tidewire.admin import ReadOnlyModelAdmin

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


class ThroughServices(admin.ModelAdmin):
    """Saves and deletes (bulk ones one by one) through a subclass's `create`, `update` and
    `delete_one`, each calling a service; saving without a change writes nothing."""

    form = ServiceCheckedForm

    def save_model(self, request, obj, form, change):
        actor = Actor.admin(request)
        if change:
            changes = {
                f: form.cleaned_data[f] for f in form.changed_data if f in form.service_fields
            }
            if not changes:
                return
            saved = self.update(obj.pk, changes, actor)
        else:
            saved = self.create(obj, actor)
        # The admin goes on with `obj` (its messages, the redirect): give it what was stored.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))

    def delete_model(self, request, obj):
        self.delete_one(obj.pk, Actor.admin(request))

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            self.delete_one(pk, Actor.admin(request))

    def create(self, obj: Any, actor: Actor) -> Any:
        raise NotImplementedError

    def update(self, pk: int, changes: dict[str, Any], actor: Actor) -> Any:
        raise NotImplementedError

    def delete_one(self, pk: int, actor: Actor) -> None:
        raise NotImplementedError


@admin.register(Business)
class BusinessAdmin(ThroughServices):
    form = BusinessForm
    list_display = ("id", "name", "subdomain", "owner", "created_at")
    search_fields = ("name", "subdomain", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("created_at", "updated_at")

    def create(self, obj, actor):
        return services.business_create(
            name=obj.name, subdomain=obj.subdomain, owner=obj.owner, actor=actor
        )

    def update(self, pk, changes, actor):
        return services.business_update(business_id=pk, changes=changes, actor=actor)

    def delete_one(self, pk, actor):
        services.business_delete(business_id=pk, actor=actor)


@admin.register(Reservation)
class ReservationAdmin(ThroughServices):
    form = ReservationForm
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

    def create(self, obj, actor):
        values = {f: getattr(obj, f) for f in RESERVATION_FIELDS}
        return services.reservation_create(business_id=obj.business_id, **values, actor=actor)

    def update(self, pk, changes, actor):
        return services.reservation_update(reservation_id=pk, changes=changes, actor=actor)

    def delete_one(self, pk, actor):
        services.reservation_delete(reservation_id=pk, actor=actor)


@admin.register(OwnerEmailSettings)
class OwnerEmailSettingsAdmin(ReadOnlyModelAdmin):
    """Each owner chooses for themselves (`/api/bookings/email-settings/`)."""

    list_display = ("owner", "delivery")
    list_filter = ("delivery",)
    search_fields = ("owner__username",)
