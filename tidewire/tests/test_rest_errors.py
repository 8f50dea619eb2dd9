"""REST errors as JSON (tidewire/rest_errors.py): what escapes a view becomes an API answer."""

import pytest
from django.db import InterfaceError, OperationalError
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from tidewire.rest_errors import DATABASE_RETRY_AFTER


def view_raising(error: Exception):
    class Failing(APIView):
        permission_classes = [AllowAny]
        authentication_classes = []

        def post(self, request):
            raise error

    return Failing.as_view()


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("consuming input failed: server closed the connection unexpectedly"),
        OperationalError("couldn't get a connection after 5.00 sec"),
        InterfaceError("connection already closed"),
    ],
)
def test_a_database_that_does_not_answer_is_a_json_503_with_retry_after(error):
    """PostgreSQL down or cut mid-query: a 503 a client retries, not Django's HTML 500."""
    response = view_raising(error)(APIRequestFactory().post("/x", {}, format="json"))
    response.render()
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.data == {"detail": "The database did not answer. Try again shortly."}
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER)


def test_other_errors_still_escape_as_errors():
    with pytest.raises(ZeroDivisionError):
        view_raising(ZeroDivisionError())(APIRequestFactory().post("/x", {}, format="json"))
