"""Every core setting has a default; overrides come from settings or TIDEWIRE_<NAME>."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tidewire.apps import unknown_settings
from tidewire.conf import DEFAULTS, overrides_from_environment, tidewire_setting


def test_a_project_that_sets_nothing_gets_every_default(settings):
    del settings.TIDEWIRE
    for name, default in DEFAULTS.items():
        value = tidewire_setting(name)
        if name == "SYNC_THREADS":
            assert value >= 1
        elif name == "JOB_RUNNER":
            assert value == "embedded"  # no REDIS_URL: the server runs the jobs
        else:
            assert value == default


def test_an_unknown_name_is_refused():
    with pytest.raises(ImproperlyConfigured, match="NOT_A_SETTING"):
        tidewire_setting("NOT_A_SETTING")


def test_environment_overrides_are_parsed_like_their_defaults():
    overrides = overrides_from_environment(
        {
            "TIDEWIRE_SOCKET_BUFFER_LIMIT": "1024",
            "TIDEWIRE_RESYNC_INTERVAL": "0.5",
            "TIDEWIRE_ALLOWED_ORIGINS": "https://a.example, https://b.example",
            "TIDEWIRE_REPLAY_RATE": "5/min",
            "TIDEWIRE_SYNC_THREADS": "3",
            "UNRELATED": "x",
        }
    )
    assert overrides == {
        "SOCKET_BUFFER_LIMIT": 1024,
        "RESYNC_INTERVAL": 0.5,
        "ALLOWED_ORIGINS": ["https://a.example", "https://b.example"],
        "REPLAY_RATE": "5/min",
        "SYNC_THREADS": 3,
    }


def test_a_mistyped_key_is_a_system_check_warning(settings):
    settings.TIDEWIRE = {**settings.TIDEWIRE, "SOCKET_BUFER_LIMIT": 1}
    [warning] = unknown_settings(None)
    assert warning.id == "tidewire.W001" and "SOCKET_BUFER_LIMIT" in warning.msg
    del settings.TIDEWIRE["SOCKET_BUFER_LIMIT"]
    assert unknown_settings(None) == []
