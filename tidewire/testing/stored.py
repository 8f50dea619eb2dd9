"""What the database holds, as one comparable value: for tests that bad input changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps


def stored_rows(
    *,
    app_labels: Iterable[str],
    ignore_fields: dict[str, set[str]] | None = None,
    keep_row: Callable[[str, dict[str, Any]], bool] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Every row of every model of the given apps, by `app_label.ModelName`, in key order.

    `ignore_fields` leaves out columns that legitimately move (a "last seen" time);
    `keep_row(model, row)` leaves out rows a test writes on purpose. Synchronous:
    call it through `database_sync_to_async` from async code.
    """
    ignore_fields = ignore_fields or {}
    snapshot = {}
    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label
            left_out = ignore_fields.get(name, set())
            rows = [
                {key: value for key, value in row.items() if key not in left_out}
                for row in model.objects.order_by("pk").values()
            ]
            snapshot[name] = [row for row in rows if keep_row is None or keep_row(name, row)]
    return snapshot
