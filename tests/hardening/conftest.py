"""Fixtures of the hardening tests, and the figures they print at the end of a run.

docs/reliability.md quotes these figures: `report.count(what, n)` adds to one,
and pytest prints them all under "hardening figures" (with or without `-s`).
"""

from __future__ import annotations

from collections import Counter

import pytest

from .socket_world import Bystander, World


class Report:
    """Counts of what the hardening tests tried, and the bystanders' latencies."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.baselines: list[float] = []

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] += n

    def lines(self) -> list[str]:
        lines = [f"{what}: {n}" for what, n in sorted(self.counts.items())]
        if self.latencies:
            lines.append(
                f"bystander events: {len(self.latencies)}, none lost; latency before the "
                f"attacks at most {max(self.baselines) * 1000:.1f} ms, during them at most "
                f"{max(self.latencies) * 1000:.1f} ms"
            )
        return lines


report = Report()


@pytest.fixture
def hardening_report() -> Report:
    return report


def pytest_terminal_summary(terminalreporter):
    if report.counts:
        terminalreporter.section("hardening figures")
        for line in report.lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="session", autouse=True)
def _asgi_application_loaded():
    """Load the ASGI application before any test: loading it sets up Django's logging
    again, which would drop the handler `caplog` put on the root logger mid-test."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    import_string(settings.ASGI_APPLICATION)


@pytest.fixture
def world(in_memory_layer, settings) -> World:
    """A buyer in a conversation, and others' things; the chat's send budget raised.

    The budget is shared by REST and sockets, and refused sends spend it too: raised
    so generated frames reach the checks behind it (the limit itself is tried by
    the floods).
    """
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "chat_send": "100000/min",
        },
    }
    return World()


@pytest.fixture
async def bystander(world):
    """A well-behaved client following its own topic; its first five events are the baseline."""
    watcher = await Bystander.start(world.stranger)
    for _ in range(5):
        await watcher.received(await watcher.publish())
    report.baselines.append(max(watcher.latencies))
    yield watcher
    report.latencies.extend(watcher.latencies[5:])
    await watcher.client.disconnect()
