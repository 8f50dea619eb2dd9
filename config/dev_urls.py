"""Development's URLs: the project's, and the mailbox of sent emails (never in production)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("", include("apps.mailing.dev_urls"))]
