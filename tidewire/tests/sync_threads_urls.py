"""URLs for test_sync_threads: views that tell which thread and connection served them."""

import threading

from django.contrib.auth.decorators import login_not_required
from django.db import connections
from django.http import JsonResponse
from django.urls import path

from tidewire.sync_threads import on_login_threads

# Set by a test to hold the `wait` view until it has seen another request through.
release = threading.Event()


@login_not_required
def who(request):
    database = connections["default"]
    database.ensure_connection()
    # SQLite's connection is kept by its thread; PostgreSQL's goes back to the pool.
    kept = id(database.connection) if database.vendor == "sqlite" else None
    return JsonResponse({"thread": threading.current_thread().name, "connection": kept})


@login_not_required
def wait(request):
    release.wait(10)
    return who(request)


@login_not_required
async def alive(request):
    return JsonResponse({"thread": threading.current_thread().name})


urlpatterns = [
    path("who/", who),
    path("wait/", wait),
    path("alive/", alive),
    # As a view that hashes a password would be marked.
    path("login/who/", on_login_threads(who)),
    path("login/wait/", on_login_threads(wait)),
]
