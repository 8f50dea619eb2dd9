from django.apps import AppConfig


class TidewireConfig(AppConfig):
    name = "tidewire"
    verbose_name = "Tidewire core"

    def ready(self) -> None:
        """Keep tokens out of the server's logs."""
        from .logs import install_redaction

        install_redaction()
