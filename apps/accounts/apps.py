from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        """Connect logout and password changes to token revocation, lockouts to the log."""
        from . import lockouts, schema, signals  # noqa: F401
