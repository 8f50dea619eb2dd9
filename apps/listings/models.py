"""Things for sale (seed 003's "listing"): a seller offers one, buyers ask about it in the chat."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from tidewire.text import TextValidator

TITLE_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 5000
PRICE_MAX = Decimal("99999999.99")  # ten digits, two after the point


class Listing(models.Model):
    """One item offered by its seller; `status` says whether it can still be had."""

    class Status(models.TextChoices):
        AVAILABLE = "available"
        RESERVED = "reserved"
        SOLD = "sold"

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH, validators=[TextValidator()])
    description = models.TextField(
        max_length=DESCRIPTION_MAX_LENGTH, blank=True, validators=[TextValidator(multiline=True)]
    )
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(PRICE_MAX)],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["available", "reserved", "sold"]),
                name="listing_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="listing_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title
