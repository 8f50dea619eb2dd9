from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "apps.bookings"
    label = "bookings"
    verbose_name = "Businesses and reservations"

    def ready(self) -> None:
        """Register the app's topics with the core."""
        from . import topics  # noqa: F401
