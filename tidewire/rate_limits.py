"""Per-connection frame limits for sockets (REST uses DRF throttles)."""

from __future__ import annotations

import enum
import time


class FrameLimiter:
    """A token bucket: `rate` frames a second on average, bursts up to `burst`.

    The first frame over the limit is answered with a warning; if the client keeps
    sending while the bucket is empty (another `burst` frames), it is cut off.
    """

    class Verdict(enum.Enum):
        OK = "ok"
        WARN = "warn"  # refuse this frame and say why
        DROP = "drop"  # refuse quietly: the client was told already
        CUT = "cut"  # close the socket

    OK, WARN, DROP, CUT = Verdict.OK, Verdict.WARN, Verdict.DROP, Verdict.CUT

    __slots__ = ("_refused", "_stamp", "_tokens", "burst", "clock", "rate")

    def __init__(self, *, rate: float, burst: int, clock=time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._refused = 0

    def take(self) -> FrameLimiter.Verdict:
        """Account for one incoming frame."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            self._refused = 0
            return self.OK
        self._refused += 1
        if self._refused == 1:
            return self.WARN
        return self.CUT if self._refused > self.burst else self.DROP
