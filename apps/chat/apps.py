from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "apps.chat"
    label = "chat"
    verbose_name = "Marketplace chat"

    def ready(self) -> None:
        """Register the app's topics with the core."""
        from . import topics  # noqa: F401
