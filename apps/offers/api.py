"""REST API of offers (BRIEF, Chat, marketplace extras): validate, call a service, serialize.

An offer is seen by its buyer and the listing's seller only: others get 404.
Illegal moves are 409 with `reason` (a stable code) and `detail` (a sentence).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.chat.frames import SEND_SCOPE
from apps.listings.models import PRICE_MAX, Listing
from tidewire.rest import MoneyField, StrictSerializer

from . import selectors, services
from .events import offer_snapshot
from .machine import ACCEPT, COUNTER, DECLINE, WITHDRAW, IllegalMove
from .models import Offer

CENT = Decimal("0.01")


class AmountInput(StrictSerializer):
    amount = MoneyField(max_digits=10, decimal_places=2, min_value=CENT, max_value=PRICE_MAX)


class NoInput(StrictSerializer):
    """Accept, decline and withdraw take no fields (an empty object or no body)."""


OfferOutput = inline_serializer(
    "Offer",
    {
        "id": serializers.IntegerField(),
        "listing": serializers.IntegerField(),
        "buyer": serializers.IntegerField(),
        "seller": serializers.IntegerField(),
        "conversation": serializers.IntegerField(),
        "amount": serializers.CharField(help_text='Two decimals, e.g. "80.00".'),
        # Text, not an enum: the schema would name it after `status` as listings' is.
        "status": serializers.CharField(help_text=" | ".join(Offer.Status.values)),
        "counters": serializers.IntegerField(),
        "counters_left": serializers.IntegerField(),
        "turn": serializers.CharField(
            allow_null=True, help_text="buyer | seller: who must answer; null once closed"
        ),
        "version": serializers.IntegerField(),
        "expires_at": serializers.DateTimeField(),
        "created_at": serializers.DateTimeField(),
        "updated_at": serializers.DateTimeField(),
    },
)
Refusal = inline_serializer(
    "OfferRefusal", {"reason": serializers.CharField(), "detail": serializers.CharField()}
)


def _refused(error: IllegalMove) -> Response:
    return Response({"reason": error.reason, "detail": error.message}, status.HTTP_409_CONFLICT)


def _validated(serializer_class: type[StrictSerializer], data: Any) -> dict[str, Any]:
    # No body is an empty object; a JSON null, list or string is refused, not read as one.
    serializer = serializer_class(data={} if isinstance(data, dict) and not data else data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class OfferWrite(APIView):
    """Offers are written at the chat's pace: the send limit, shared with messages."""

    throttle_scope = SEND_SCOPE


class ListingOffersApi(OfferWrite):
    @extend_schema(request=AmountInput, responses={201: OfferOutput, 409: Refusal})
    def post(self, request: Request, listing_id: int) -> Response:
        """Make an offer on a listing (as a buyer): 201 with the offer, shown in your
        conversation about the listing. 409 for your own listing, a listing not
        available, or an open offer of yours already there."""
        amount = _validated(AmountInput, request.data)["amount"]
        try:
            offer = services.offer_propose(listing_id=listing_id, buyer=request.user, amount=amount)
        except Listing.DoesNotExist:
            raise NotFound(f"No listing with id {listing_id}.") from None
        except services.OfferBlocked as error:
            raise PermissionDenied(str(error)) from None
        except IllegalMove as error:
            return _refused(error)
        return Response(offer_snapshot(offer), status=status.HTTP_201_CREATED)


class OfferDetailApi(APIView):
    @extend_schema(responses=OfferOutput)
    def get(self, request: Request, offer_id: int) -> Response:
        """One offer (its buyer and the listing's seller only)."""
        try:
            offer = selectors.offer_for(user_id=request.user.pk, offer_id=offer_id)
        except Offer.DoesNotExist:
            raise NotFound(f"No offer with id {offer_id}.") from None
        return Response(offer_snapshot(offer))


class OfferMoveApi(OfferWrite):
    """`POST /api/offers/<id>/<action>/`: accept, decline, withdraw, or counter with an amount."""

    move = ACCEPT

    @extend_schema(request=NoInput, responses={200: OfferOutput, 409: Refusal})
    def post(self, request: Request, offer_id: int) -> Response:
        """Move the offer; 409 with the reason when the rules refuse the move."""
        fields = _validated(AmountInput if self.move == COUNTER else NoInput, request.data)
        try:
            offer = services.offer_move(
                offer_id=offer_id, user=request.user, action=self.move, **fields
            )
        except Offer.DoesNotExist:
            raise NotFound(f"No offer with id {offer_id}.") from None
        except services.OfferError as error:
            raise ValidationError({error.field: [error.message]}) from None
        except services.OfferBlocked as error:
            raise PermissionDenied(str(error)) from None
        except IllegalMove as error:
            return _refused(error)
        return Response(offer_snapshot(offer))


class CounterApi(OfferMoveApi):
    move = COUNTER

    @extend_schema(request=AmountInput, responses={200: OfferOutput, 409: Refusal})
    def post(self, request: Request, offer_id: int) -> Response:
        """Counter with another amount (at most 3 counters per offer, both sides together)."""
        return super().post(request, offer_id)


MOVES = (ACCEPT, DECLINE, WITHDRAW)
