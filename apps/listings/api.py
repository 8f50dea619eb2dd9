"""REST API for listings (`/api/listings/`): validate, call a service, serialize."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.roles import is_super_admin
from tidewire.rest import (
    MoneyField,
    NewestFirstPagination,
    StrictSerializer,
    newest_first_schema,
    paginated,
    read_query,
    stream_position,
)
from tidewire.text import TextField

from . import selectors, services
from .events import listing_snapshot
from .models import DESCRIPTION_MAX_LENGTH, PRICE_MAX, TITLE_MAX_LENGTH, Listing
from .topics import LISTINGS_TOPIC, listing_topic

SEARCH_MAX_LENGTH = 200  # longer than any title; bounds the LIKE pattern a caller sends
MAX_ID = 2**63 - 1  # a bigint: larger ids cannot exist, and the database would refuse them


class ListingInput(StrictSerializer):
    # Strings only, in NFC, without control or direction characters (tidewire.text).
    title = TextField(max_length=TITLE_MAX_LENGTH, trim_whitespace=True)
    description = TextField(
        multiline=True, max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False
    )
    price = MoneyField(max_digits=10, decimal_places=2, min_value=Decimal("0"), max_value=PRICE_MAX)
    status = serializers.ChoiceField(choices=Listing.Status.choices, required=False)


class ListingFilter(serializers.Serializer):
    """The list's query parameters; others (`cursor`, `page_size`) belong to the paginator."""

    status = serializers.ChoiceField(
        choices=Listing.Status.choices,
        required=False,
        allow_blank=True,  # "": any
    )
    search = serializers.CharField(max_length=SEARCH_MAX_LENGTH, required=False, allow_blank=True)
    seller = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class SellerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class ListingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    price = serializers.CharField(help_text='Two decimals, e.g. "80.00".')
    status = serializers.ChoiceField(choices=Listing.Status.choices)
    seller = SellerOutput()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance: Listing) -> dict[str, Any]:
        return listing_snapshot(instance)


class ListingPagination(NewestFirstPagination):
    ordering = ("-created_at", "-id")


class IsSellerOrSuperAdmin(BasePermission):
    """A listing is changed or deleted by its seller, or by a super admin."""

    message = "Only the listing's seller may change or delete it."

    def has_object_permission(self, request: Request, view: APIView, obj: Listing) -> bool:
        return obj.seller_id == request.user.pk or is_super_admin(request.user)


def _not_found(listing_id: int) -> NotFound:
    return NotFound(f"No listing with id {listing_id}.")


def _get_or_404(listing_id: int) -> Listing:
    try:
        return selectors.listing_get(listing_id=listing_id)
    except Listing.DoesNotExist:
        raise _not_found(listing_id) from None


class ListingListApi(APIView):
    """Anyone logged in lists listings and puts one up for sale (as its seller)."""

    @newest_first_schema("listings_list", ListingOutput, filters=ListingFilter)
    def get(self, request: Request) -> Response:
        """Listings newest first, a page at a time (`next`/`previous` follow the cursor)."""
        query = read_query(ListingFilter, request)
        position = stream_position(LISTINGS_TOPIC)  # before the data: no gap, see tidewire.rest
        listings = selectors.listing_list(
            status=query.get("status") or None,
            search=query.get("search"),
            seller_id=query.get("seller"),
        )
        return paginated(
            ListingPagination(), listings, request, self, listing_snapshot, headers=position
        )

    @extend_schema(request=ListingInput, responses={201: ListingOutput})
    def post(self, request: Request) -> Response:
        """Put a listing up for sale; broadcast as `listing_created`."""
        serializer = ListingInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        listing = services.listing_create(seller=request.user, **serializer.validated_data)
        return Response(listing_snapshot(listing), status=status.HTTP_201_CREATED)


class ListingDetailApi(APIView):
    """Anyone logged in reads a listing; its seller (or a super admin) changes or deletes it."""

    permission_classes = [IsAuthenticated, IsSellerOrSuperAdmin]

    @extend_schema(responses=ListingOutput)
    def get(self, request: Request, listing_id: int) -> Response:
        """One listing; the headers give the offset of the listing's own topic."""
        position = stream_position(listing_topic(listing_id))
        return Response(listing_snapshot(_get_or_404(listing_id)), headers=position)

    @extend_schema(
        request=ListingInput(partial=True),
        responses=ListingOutput,
    )
    def patch(self, request: Request, listing_id: int) -> Response:
        """Change some fields; broadcast as `listing_updated` (a change to nothing: no event)."""
        self.check_object_permissions(request, _get_or_404(listing_id))
        serializer = ListingInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            listing = services.listing_update(
                listing_id=listing_id, changes=serializer.validated_data
            )
        except Listing.DoesNotExist:  # deleted since the permission check
            raise _not_found(listing_id) from None
        return Response(listing_snapshot(listing))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, listing_id: int) -> Response:
        """Delete a listing; broadcast as `listing_deleted` with its last state."""
        self.check_object_permissions(request, _get_or_404(listing_id))
        try:
            services.listing_delete(listing_id=listing_id)
        except Listing.DoesNotExist:
            raise _not_found(listing_id) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
