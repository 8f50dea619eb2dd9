from django.apps import AppConfig


class TestingConfig(AppConfig):
    """Topics the core's tests follow in real server processes (test settings only)."""

    name = "tidewire.testing"
    label = "tidewire_testing"
    verbose_name = "Tidewire test topics"

    def ready(self) -> None:
        from tidewire.topics import register_topic

        register_topic(
            r"twtest\.open\.\d+",
            may_join=lambda user, match: user.is_authenticated,
            doc="Any logged-in user (tests only).",
        )
        register_topic(
            r"twtest\.presence\.\d+",
            may_join=lambda user, match: user.is_authenticated,
            doc="Any logged-in user, with presence (tests only).",
            presence=True,
        )
