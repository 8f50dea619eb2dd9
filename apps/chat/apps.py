from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "apps.chat"
    label = "chat"
    verbose_name = "Marketplace chat"

    def ready(self) -> None:
        """Register the app's topics with the core, and its system lines with listings."""
        from apps.listings.services import on_listing_updated

        from . import topics  # noqa: F401
        from .system_lines import listing_updated

        on_listing_updated(listing_updated)
