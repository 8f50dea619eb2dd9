from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework_simplejwt.views import TokenRefreshView

from apps.accounts.api import LogoutApi, TokenObtainView
from apps.accounts.views import password_view
from apps.bookings.urls import api_urlpatterns as bookings_api
from apps.chat.urls import api_urlpatterns as chat_api
from apps.dashboard.urls import api_urlpatterns as dashboard_api
from apps.listings.urls import api_urlpatterns as listings_api
from apps.moderation.urls import api_urlpatterns as moderation_api
from apps.notifications.urls import api_urlpatterns as notifications_api
from apps.offers.urls import api_urlpatterns as offers_api
from apps.records.urls import api_urlpatterns as records_api
from tidewire.metrics_view import metrics_view
from tidewire.rest_errors import api_not_found
from tidewire.sync_threads import on_login_threads

# The admin's login checks a password too (before admin.site.urls reads it below).
admin.site.login = password_view(admin.site.login)

api_patterns = [
    # Checks a password: on the login threads; its limit is its throttle_scope.
    path("auth/token/", on_login_threads(TokenObtainView.as_view()), name="token-obtain"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutApi.as_view(), name="token-logout"),
    *records_api,
    *listings_api,
    *chat_api,
    *offers_api,
    *notifications_api,
    *dashboard_api,
    *bookings_api,
    *moderation_api,
]

urlpatterns = [
    path("", include("apps.home.urls")),
    path("", include("apps.records.urls")),
    path("", include("apps.listings.urls")),
    path("", include("apps.chat.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.dashboard.urls")),
    path("", include("apps.mailing.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("api/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),  # Prometheus (docs/deployment.md#metrics)
    re_path(r"^api/", api_not_found),  # last: any other /api/ path is a JSON 404
]
