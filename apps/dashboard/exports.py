"""CSV downloads of the dashboard: the audit log, the activity feed and the chart series.

Super admins only, like the rest of the dashboard API. Logs are read in keyset
batches newest first and streamed (csv_export), so a long log is never in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.request import Request

from apps.audit.models import AuditEntry
from tidewire.events import iso_timestamp
from tidewire.rest import read_query

from . import selectors
from .api import ActivityQuery, ChartQuery, DashboardApi
from .csv_export import csv_download
from .periods import CHART_RANGES

BATCH_SIZE = 1000  # audit entries read per query while streaming

AUDIT_HEADER = (
    "id", "created_at", "action", "object_type", "object_id", "object_name", "business_id",
    "message", "actor_id", "actor_name", "source", "changed_fields", "before", "after",
)  # fmt: skip
FEED_HEADER = ("created_at", "type", "object_name", "message", "actor_name", "source")
CHARTS_HEADER = ("bucket", "reservations_made", "businesses_created")

_TYPE_PARAMETER = OpenApiParameter(
    "type", str, enum=selectors.FEED_TYPES, description="only this event type"
)


def newest_first_in_batches(entries: QuerySet[AuditEntry]) -> Iterator[AuditEntry]:
    """Every entry of `entries` (ordered by -id), read `BATCH_SIZE` at a time by id."""
    below = None
    while True:
        batch = list((entries if below is None else entries.filter(id__lt=below))[:BATCH_SIZE])
        yield from batch
        if len(batch) < BATCH_SIZE:
            return
        below = batch[-1].pk


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def object_name(entry: AuditEntry) -> str:
    """What people call the object: a business's name, a reservation's customer."""
    state = entry.after or entry.before or {}
    return state.get("name") or state.get("customer_name") or ""


def _audit_row(entry: AuditEntry) -> tuple:
    return (
        entry.pk,
        iso_timestamp(entry.created_at),
        entry.action,
        entry.object_type,
        entry.object_id,
        object_name(entry),
        entry.business_id,
        entry.message,
        entry.actor_id,
        entry.actor_name,
        entry.source,
        " ".join(entry.changed_fields),
        _json(entry.before),
        _json(entry.after),
    )


def _feed_row(entry: AuditEntry) -> tuple:
    return (
        iso_timestamp(entry.created_at),
        entry.action,
        object_name(entry),
        entry.message,
        entry.actor_name,
        entry.source,
    )


def _filename(kind: str, *qualifiers: str | None) -> str:
    day = timezone.localdate().isoformat()
    return "-".join(["tidewire", kind, *(q for q in qualifiers if q), day]) + ".csv"


class CsvExportApi(DashboardApi):
    """A download: refusals (401, 403, 400) answer JSON whatever the Accept header asks."""

    def perform_content_negotiation(self, request: Request, force: bool = False):
        return super().perform_content_negotiation(request, force=True)


class LogCsvApi(CsvExportApi):
    """The audit log newest first (all of it, or one `type`), a row per entry."""

    kind: str
    header: tuple[str, ...]

    @staticmethod
    def row(entry: AuditEntry) -> tuple: ...

    @extend_schema(parameters=[_TYPE_PARAMETER], responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request: Request) -> StreamingHttpResponse:
        event_type = read_query(ActivityQuery, request).get("type")
        entries = selectors.activity_entries(user=request.user, event_type=event_type)
        rows = map(self.row, newest_first_in_batches(entries))
        return csv_download(request, _filename(self.kind, event_type), self.header, rows)


@extend_schema_view(get=extend_schema(operation_id="dashboard_audit_csv"))
class AuditCsvApi(LogCsvApi):
    """The audit log with every field of an entry (before and after as JSON)."""

    kind, header, row = "audit", AUDIT_HEADER, staticmethod(_audit_row)


@extend_schema_view(get=extend_schema(operation_id="dashboard_activity_csv"))
class FeedCsvApi(LogCsvApi):
    """The activity feed as the page shows it: time, type, name, message, who, from where."""

    kind, header, row = "activity", FEED_HEADER, staticmethod(_feed_row)


class ChartsCsvApi(CsvExportApi):
    @extend_schema(
        operation_id="dashboard_charts_csv",
        parameters=[ChartQuery],
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        """The chart series of `range`: one row per bucket (its ISO label) with both counts."""
        chart_range = CHART_RANGES[read_query(ChartQuery, request)["range"]]
        series = selectors.chart_series(chart_range=chart_range)
        rows = zip(series["labels"], series["reservations"], series["businesses"], strict=True)
        return csv_download(request, _filename("charts", chart_range.name), CHARTS_HEADER, rows)
