"""Offers: a buyer's price for a listing, answered by its seller, countered back and forth."""

from django.conf import settings
from django.db import models

OPEN_STATUSES = ("pending", "countered")  # someone must still answer
MAX_COUNTERS = 3  # Oskelly's cap: a haggle that long is not converging


class Offer(models.Model):
    """One negotiation of a buyer about a listing; `turn` says who must answer next."""

    class Status(models.TextChoices):
        PENDING = "pending"  # proposed by the buyer, waiting for the seller
        COUNTERED = "countered"  # a counter waiting for the other side (`turn`)
        ACCEPTED = "accepted"
        DECLINED = "declined"
        EXPIRED = "expired"
        WITHDRAWN = "withdrawn"

    class Side(models.TextChoices):
        BUYER = "buyer"
        SELLER = "seller"

    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="offers")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The buyer's conversation about the listing, where the offer is shown.
    conversation = models.ForeignKey(
        "chat.Conversation", on_delete=models.CASCADE, related_name="offers"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    counters = models.PositiveSmallIntegerField(default=0)
    turn = models.CharField(max_length=6, choices=Side.choices, blank=True)  # "" once closed
    version = models.PositiveIntegerField(default=1)  # +1 per move: clients skip older events
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "buyer"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="one_open_offer_per_buyer",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="offer_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(counters__lte=MAX_COUNTERS), name="offer_counters_capped"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OPEN_STATUSES, turn__in=["buyer", "seller"])
                | (~models.Q(status__in=OPEN_STATUSES) & models.Q(turn="")),
                name="offer_open_has_a_turn",
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.pk} on listing {self.listing_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
