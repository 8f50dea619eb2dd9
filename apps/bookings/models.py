"""Seed 004's salon-booking platform: businesses (each with its owner) and their reservations."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from tidewire.text import TextValidator

NAME_MAX_LENGTH = 120
SERVICE_MAX_LENGTH = 120
SUBDOMAIN_MAX_LENGTH = 63  # one DNS label
# A DNS label: lower-case letters, digits and inner hyphens.
SUBDOMAIN_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"


class Business(models.Model):
    """A salon (or any business taking reservations), run by its owner at its own subdomain."""

    name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[TextValidator()])
    subdomain = models.CharField(
        max_length=SUBDOMAIN_MAX_LENGTH,
        unique=True,
        validators=[
            RegexValidator(
                SUBDOMAIN_PATTERN,
                "lower-case letters, digits and inner hyphens only",
            )
        ],
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="businesses"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "businesses"

    def __str__(self) -> str:
        return self.name


class Reservation(models.Model):
    """A customer's booking of a service at a business, at a time."""

    class Status(models.TextChoices):
        PENDING = "pending"
        CONFIRMED = "confirmed"
        CANCELLED = "cancelled"

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="reservations")
    customer_name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[TextValidator()])
    customer_email = models.EmailField(validators=[TextValidator()])
    service = models.CharField(max_length=SERVICE_MAX_LENGTH, validators=[TextValidator()])
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the status last became "cancelled" (the dashboard's "cancelled this week").
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["business", "-starts_at"], name="reservation_business"),
            models.Index(fields=["starts_at"], name="reservation_starts"),
            models.Index(
                fields=["cancelled_at"],
                name="reservation_cancelled",
                condition=models.Q(status="cancelled"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "confirmed", "cancelled"]),
                name="reservation_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name}: {self.service} at {self.starts_at:%Y-%m-%d %H:%M}"


class OwnerEmailSettings(models.Model):
    """How an owner hears of reservations by email: one email each, or one daily digest."""

    class Delivery(models.TextChoices):
        EACH = "each"
        DAILY_DIGEST = "daily_digest"

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_email_settings"
    )
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.EACH)

    class Meta:
        verbose_name_plural = "owner email settings"

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.delivery}"
