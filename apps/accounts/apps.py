from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        """Connect logout and password changes to the token revocation service."""
        from . import signals  # noqa: F401
