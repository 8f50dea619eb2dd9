from django.urls import path

from .api import businesses, email_settings, reservations

app_name = "bookings"

api_urlpatterns = [
    path("businesses/", businesses.BusinessListApi.as_view(), name="business-list"),
    path(
        "businesses/<id:business_id>/",
        businesses.BusinessDetailApi.as_view(),
        name="business-detail",
    ),
    path(
        "businesses/<id:business_id>/reservations/import/",
        reservations.ReservationImportApi.as_view(),
        name="reservation-import",
    ),
    path("reservations/", reservations.ReservationListApi.as_view(), name="reservation-list"),
    path(
        "reservations/<id:reservation_id>/",
        reservations.ReservationDetailApi.as_view(),
        name="reservation-detail",
    ),
    path(
        "bookings/email-settings/",
        email_settings.EmailSettingsApi.as_view(),
        name="email-settings",
    ),
]
