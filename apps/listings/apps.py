from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "apps.listings"
    label = "listings"
    verbose_name = "Marketplace listings"

    def ready(self) -> None:
        """Register the app's topics with the core."""
        from . import topics  # noqa: F401
