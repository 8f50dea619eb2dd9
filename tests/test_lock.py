"""The lock files pin every dependency pyproject.toml declares, at a version inside its range."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def pinned(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {
        canonicalize_name(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", text, re.M)
    }


def declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    if extra:
        found += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return found


def test_every_declared_dependency_is_pinned_within_its_range():
    for lock, extra in (("base.txt", None), ("dev.txt", "dev")):
        pins = pinned(lock)
        for requirement in declared(extra):
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{requirement.name} is not in requirements/{lock}: make lock"
            assert requirement.specifier.contains(pins[name], prereleases=True), (
                f"requirements/{lock} pins {name}=={pins[name]}, outside {requirement.specifier}"
            )


def test_every_pin_carries_its_hash():
    for lock in ("base.txt", "dev.txt"):
        text = (ROOT / "requirements" / lock).read_text()
        assert text.count("==") == len(re.findall(r"^\S+==\S+ \\\n\s+--hash=sha256:", text, re.M))
