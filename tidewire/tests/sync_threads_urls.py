"""URLs for test_sync_threads: views that tell which thread and connection served them."""

import threading

from django.contrib.auth.decorators import login_not_required
from django.db import connections
from django.http import JsonResponse
from django.urls import path

# Set by a test to hold the `wait` view until it has seen another request through.
release = threading.Event()


@login_not_required
def who(request):
    connections["default"].ensure_connection()
    return JsonResponse(
        {"thread": threading.current_thread().name, "connection": id(connections["default"])}
    )


@login_not_required
def wait(request):
    release.wait(10)
    return who(request)


urlpatterns = [path("who/", who), path("wait/", wait)]
