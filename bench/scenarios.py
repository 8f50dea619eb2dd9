"""The scenarios: how many listen, how the writers write, and for how long."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scenario:
    """One load shape, run identically against every target."""

    name: str
    purpose: str
    subscribers: int
    duration: float  # seconds of writing
    writers: int  # concurrent writers (flat out) or keep-alive connections (fixed rate)
    rate: float | None  # PATCHes a second; None: as fast as the writers go
    drain: float = 15.0  # at most this many seconds to wait for deliveries after writing
    deflate: bool = False  # subscribers offer permessage-deflate, as browsers do

    @property
    def mode(self) -> str:
        writes = (
            f"{self.writers} writers flat out" if self.rate is None else f"{self.rate:g} PATCH/s"
        )
        return writes + (", permessage-deflate offered" if self.deflate else "")


# The project's performance targets: fan-out to 1,000 sockets under sustained
# writes, and delivery latency at an ordinary editing rate.
FANOUT = Scenario(
    name="fanout",
    purpose="throughput: how many deliveries a second reach 1,000 sockets under writes flat out",
    subscribers=1000,
    duration=10.0,
    writers=4,
    rate=None,
)
LATENCY = Scenario(
    name="latency",
    purpose="latency: how long an edit takes to reach 1,000 sockets at a steady 20 PATCH/s",
    subscribers=1000,
    duration=10.0,
    writers=4,
    rate=20.0,
)
SCENARIOS = {s.name: s for s in (FANOUT, LATENCY)}


def select(
    name: str,
    *,
    subscribers: int | None = None,
    duration: float | None = None,
    writers: int | None = None,
    rate: float | None = None,
    drain: float | None = None,
    deflate: bool = False,
) -> list[Scenario]:
    """The scenarios named (`all` for every one), with the given figures overridden.

    `rate` applies to fixed-rate scenarios only; the others stay flat out.
    """
    chosen = list(SCENARIOS.values()) if name == "all" else [SCENARIOS[name]]
    result = []
    for scenario in chosen:
        changes: dict[str, object] = {}
        if subscribers is not None:
            changes["subscribers"] = subscribers
        if duration is not None:
            changes["duration"] = duration
        if writers is not None:
            changes["writers"] = writers
        if rate is not None and scenario.rate is not None:
            changes["rate"] = rate
        if drain is not None:
            changes["drain"] = drain
        if deflate:
            changes["deflate"] = True
        result.append(replace(scenario, **changes))
    return result
