"""REST API of the dashboard (`/api/dashboard/...`): super admins only (others 403, no login 401).

The page reads its state here, follows `bookings.dashboard` from the summary's
`offset`, and reads again (coalesced) when events come.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.roles import is_super_admin
from apps.bookings.topics import DASHBOARD_TOPIC
from tidewire.rest import (
    CURSOR_PARAMETER,
    PAGE_SIZE_PARAMETER,
    NewestFirstPagination,
    StrictSerializer,
    paginated,
    read_query,
    stream_position,
)

from . import selectors
from .periods import CHART_RANGES


class IsSuperAdmin(BasePermission):
    message = "The dashboard is for super admins."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_super_admin(request.user)


class DashboardApi(APIView):
    """Base of the dashboard's endpoints: logged in (401) and a super admin (403)."""

    permission_classes = [IsAuthenticated, IsSuperAdmin]


class ChartQuery(serializers.Serializer):
    range = serializers.ChoiceField(choices=sorted(CHART_RANGES), default="24h")


class ActivityQuery(StrictSerializer):
    type = serializers.ChoiceField(choices=selectors.FEED_TYPES, required=False)
    # The paginator's, which checks them.
    cursor = serializers.CharField(required=False, allow_blank=True)
    page_size = serializers.CharField(required=False, allow_blank=True)


class ActivityPagination(NewestFirstPagination):
    ordering = ("-id",)


class SummaryApi(DashboardApi):
    @extend_schema(
        responses=inline_serializer(
            "DashboardSummary",
            {
                "counts": inline_serializer(
                    "DashboardCounts",
                    {
                        "businesses": serializers.IntegerField(),
                        "reservations_today": serializers.IntegerField(),
                        "upcoming": serializers.IntegerField(),
                        "cancelled_this_week": serializers.IntegerField(),
                    },
                ),
                "recent_businesses": serializers.ListField(child=serializers.DictField()),
                "offset": serializers.IntegerField(),
                "topic": serializers.CharField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        """Counts, the 10 newest businesses, and where `bookings.dashboard` stood before the read.

        Definitions (server time zone, weeks from Monday): `reservations_today` start
        today and are not cancelled; `upcoming` start now or later and are not
        cancelled; `cancelled_this_week` were cancelled since Monday 00:00.
        """
        position = stream_position(DASHBOARD_TOPIC)  # before the data: no gap on subscribe
        body = {
            "counts": selectors.dashboard_counts(),
            "recent_businesses": selectors.recent_businesses(),
            "topic": DASHBOARD_TOPIC,
            "offset": int(position["Tidewire-Offset"]),
        }
        return Response(body, headers=position)


class ChartsApi(DashboardApi):
    @extend_schema(parameters=[ChartQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """Reservations made and businesses created per bucket: hours for 24h, days for 7d, 30d.

        `labels` are ISO 8601 bucket starts in `time_zone`; `reservations` and
        `businesses` hold one count per label, zeros included.
        """
        chart_range = CHART_RANGES[read_query(ChartQuery, request)["range"]]
        return Response(selectors.chart_series(chart_range=chart_range))


class ActivityApi(DashboardApi):
    @extend_schema(
        operation_id="dashboard_activity",
        parameters=[
            OpenApiParameter("type", str, enum=selectors.FEED_TYPES, description="one event type"),
            CURSOR_PARAMETER,
            PAGE_SIZE_PARAMETER,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        """The audit log newest first, a page at a time: the feed's history.

        `Tidewire-Offset` is where `bookings.dashboard` stood before the read: an
        event at or below it is in this page already.
        """
        query = read_query(ActivityQuery, request)
        position = stream_position(DASHBOARD_TOPIC)  # before the data
        entries = selectors.activity_entries(user=request.user, event_type=query.get("type"))
        return paginated(
            ActivityPagination(),
            entries,
            request,
            self,
            selectors.activity_snapshot,
            headers=position,
        )
