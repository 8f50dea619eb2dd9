from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class MailingConfig(AppConfig):
    name = "apps.mailing"
    label = "mailing"
    verbose_name = "Emails"

    def ready(self) -> None:
        """Load every app's `emails` module, where its renderers register (renderers.py).

        The send job may run in a Celery worker that never imports the views or
        services that schedule those emails.
        """
        autodiscover_modules("emails")
