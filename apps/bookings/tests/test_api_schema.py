"""The OpenAPI schema builds, valid and without warnings, and documents the bookings endpoints."""

import io

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_without_warnings_and_has_every_bookings_endpoint():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    paths = yaml.safe_load(out.getvalue())["paths"]
    expected = {
        "/api/businesses/": {"get", "post"},
        "/api/businesses/{business_id}/": {"get", "patch", "delete"},
        "/api/businesses/{business_id}/reservations/import/": {"post"},
        "/api/reservations/": {"get", "post"},
        "/api/reservations/{reservation_id}/": {"get", "patch", "delete"},
        "/api/bookings/email-settings/": {"get", "put"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    page = paths["/api/reservations/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert page["schema"]["$ref"].endswith("/ReservationPage")
