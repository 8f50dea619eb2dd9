from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        """Connect logout and password changes to token revocation; document the auth."""
        from . import schema, signals  # noqa: F401
