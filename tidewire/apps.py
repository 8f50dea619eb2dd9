from django.apps import AppConfig
from django.core import checks


def unknown_settings(app_configs, **kwargs) -> list[checks.Warning]:
    """A key of settings.TIDEWIRE that the core does not know is a typo: say so."""
    from .conf import check_overrides

    return [
        checks.Warning(
            f"settings.TIDEWIRE[{name!r}] is not a Tidewire setting and has no effect",
            hint="the settings and their defaults are in tidewire/conf.py",
            id="tidewire.W001",
        )
        for name in check_overrides()
    ]


class TidewireConfig(AppConfig):
    name = "tidewire"
    verbose_name = "Tidewire core"

    def ready(self) -> None:
        """Keep tokens out of the server's logs; check the TIDEWIRE setting's keys; `<id:>`
        in URLs."""
        from . import ids
        from .logs import install_redaction

        install_redaction()
        ids.register()
        _set_up_metrics()
        checks.register(unknown_settings)


def _set_up_metrics() -> None:
    """Counting on or off (TIDEWIRE METRICS)."""
    from . import metrics
    from .conf import tidewire_setting

    metrics.enabled = tidewire_setting("METRICS") != "off"
