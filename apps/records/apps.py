from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "apps.records"
    label = "records"
    verbose_name = "Live records"

    def ready(self) -> None:
        """Register the app's topics with the core."""
        from . import topics  # noqa: F401
