import pytest


@pytest.fixture
def alice(db):
    from django.contrib.auth.models import User

    return User.objects.create_user(username="alice", password="alice-pass-1")


@pytest.fixture
def bob(db):
    from django.contrib.auth.models import User

    return User.objects.create_user(username="bob", password="bob-pass-1")


@pytest.fixture(autouse=True)
def _kinds():
    """The kinds the tests notify with (registered once per process)."""
    from apps.notifications.kinds import _KINDS, register_kind

    if "test_note" not in _KINDS:
        register_kind("test_note", "Test notes")
        register_kind("test_essential", "Test confirmations", essential=True)
        register_kind("test_in_app_only", "Test in-app only", channels=("in_app",))
