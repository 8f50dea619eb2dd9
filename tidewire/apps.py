from django.apps import AppConfig


class TidewireConfig(AppConfig):
    name = "tidewire"
    verbose_name = "Tidewire core"
