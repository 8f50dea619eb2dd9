"""The development SECRET_KEY is random per install, kept in a private file git ignores."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.secret_key import development_secret_key

ROOT = Path(__file__).resolve().parent.parent


def test_a_missing_key_file_is_made_readable_by_its_owner_only(tmp_path):
    path = tmp_path / ".secret_key"
    key = development_secret_key(path)
    assert len(key) >= 50
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [".secret_key"]  # no temporary left


def test_the_key_file_is_reused(tmp_path):
    path = tmp_path / ".secret_key"
    first = development_secret_key(path)
    assert development_secret_key(path) == first
    assert path.read_text().strip() == first


def test_two_installs_get_different_keys(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert development_secret_key(tmp_path / "a" / "k") != development_secret_key(
        tmp_path / "b" / "k"
    )


def test_an_empty_key_file_is_refused_naming_it(tmp_path):
    path = tmp_path / ".secret_key"
    path.write_text("\n")
    with pytest.raises(ImproperlyConfigured, match=str(path)):
        development_secret_key(path)


def _dev_secret_key(**env: str) -> str:
    """SECRET_KEY as config.settings.dev computes it, in a fresh interpreter."""
    base = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.dev", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_dev_settings_use_the_install_key_file_unless_the_environment_names_a_key(tmp_path):
    path = tmp_path / ".secret_key"
    made = _dev_secret_key(TIDEWIRE_SECRET_KEY_FILE=str(path))
    assert made == path.read_text().strip()
    assert _dev_secret_key(TIDEWIRE_SECRET_KEY_FILE=str(path)) == made
    from_env = _dev_secret_key(TIDEWIRE_SECRET_KEY_FILE=str(path), SECRET_KEY="from-the-env")
    assert from_env == "from-the-env"


def test_no_fixed_key_is_committed_in_development_settings(tmp_path):
    # Two fresh installs, two keys: nothing in the committed settings decides them.
    first = _dev_secret_key(TIDEWIRE_SECRET_KEY_FILE=str(tmp_path / "one"))
    second = _dev_secret_key(TIDEWIRE_SECRET_KEY_FILE=str(tmp_path / "two"))
    assert first != second
    settings_text = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    assert "dev-only-not-secret" not in settings_text  # the key every install shared


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_ignores_the_key_file():
    result = subprocess.run(
        ["git", "check-ignore", "--quiet", ".secret_key"], cwd=ROOT, capture_output=True
    )
    if result.returncode == 128:
        pytest.skip("not a git checkout")
    assert result.returncode == 0, "the .gitignore must list .secret_key"
