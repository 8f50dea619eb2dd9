"""`/api/businesses/`: super admins see and change every business; an owner sees and renames
their own. Creating, deleting and changing hands are for super admins (403 for an owner)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.roles import is_super_admin
from apps.audit.services import Actor
from tidewire.rest import newest_first_schema, paginated, stream_position

from .. import selectors, services
from ..events import business_with_owner
from ..models import Business
from ..topics import DASHBOARD_TOPIC, business_topic
from .inputs import BusinessInput, NewestFirst, service_refused


class BusinessOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    subdomain = serializers.CharField()
    owner = serializers.IntegerField(help_text="The owner's user id.")


def business_or_404(request: Request, business_id: int) -> Business:
    """A business the caller may see; anything else, existing or not, is the same 404."""
    try:
        return selectors.businesses_visible_to(request.user).get(pk=business_id)
    except Business.DoesNotExist:
        raise NotFound(f"No business with id {business_id}.") from None


def _super_admins_only(request: Request, what: str) -> None:
    if not is_super_admin(request.user):
        raise PermissionDenied(f"Only super admins {what}.")


class BusinessListApi(APIView):
    """Businesses newest first: all of them for a super admin, an owner's own for an owner."""

    @newest_first_schema("businesses_list", BusinessOutput)
    def get(self, request: Request) -> Response:
        """A page of the businesses the caller may see (a super admin's carry the dashboard's
        stream position: `Tidewire-Topic`, `Tidewire-Offset`)."""
        user = request.user
        position = stream_position(DASHBOARD_TOPIC) if is_super_admin(user) else {}
        businesses = selectors.businesses_visible_to(user)
        return paginated(
            NewestFirst(), businesses, request, self, business_with_owner, headers=position
        )

    @extend_schema(request=BusinessInput, responses={201: BusinessOutput})
    def post(self, request: Request) -> Response:
        """Create a business (super admins); broadcast as `business_created`."""
        _super_admins_only(request, "create businesses")
        serializer = BusinessInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            business = services.business_create(
                **serializer.validated_data, actor=Actor.api(request)
            )
        except ValueError as error:  # SubdomainTaken too: "subdomain 'x' is taken"
            raise service_refused(error) from None
        return Response(business_with_owner(business), status=status.HTTP_201_CREATED)


class BusinessDetailApi(APIView):
    @extend_schema(responses=BusinessOutput)
    def get(self, request: Request, business_id: int) -> Response:
        """One business; the headers give the offset of its own topic."""
        position = stream_position(business_topic(business_id))
        return Response(
            business_with_owner(business_or_404(request, business_id)), headers=position
        )

    @extend_schema(
        request=BusinessInput(partial=True),  # `owner`: super admins only (403 for an owner)
        responses=BusinessOutput,
    )
    def patch(self, request: Request, business_id: int) -> Response:
        """Rename it or move its subdomain; broadcast as `business_updated` (nothing changed:
        no event). Giving it another owner is for super admins."""
        business_or_404(request, business_id)
        if isinstance(request.data, dict) and "owner" in request.data:
            _super_admins_only(request, "change a business's owner")
        serializer = BusinessInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            business = services.business_update(
                business_id=business_id,
                changes=serializer.validated_data,
                actor=Actor.api(request),
            )
        except Business.DoesNotExist:  # deleted since the check
            raise NotFound(f"No business with id {business_id}.") from None
        except ValueError as error:
            raise service_refused(error) from None
        return Response(business_with_owner(business))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, business_id: int) -> Response:
        """Delete it with its reservations (super admins); broadcast as `business_deleted`."""
        business_or_404(request, business_id)
        _super_admins_only(request, "delete businesses")
        try:
            services.business_delete(business_id=business_id, actor=Actor.api(request))
        except Business.DoesNotExist:
            raise NotFound(f"No business with id {business_id}.") from None
        return Response(status=status.HTTP_204_NO_CONTENT)
