from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "apps.offers"
    label = "offers"
    verbose_name = "Offers on listings"

    def ready(self) -> None:
        """Register the app's kind of notification."""
        from . import kinds  # noqa: F401
