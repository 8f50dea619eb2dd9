"""Per-connection frame limits for sockets (REST uses DRF throttles)."""

from __future__ import annotations

import enum
import time


class FrameLimiter:
    """A token bucket: `rate` frames a second on average, bursts up to `burst`.

    The first frame over the limit is answered with a warning; a client refused
    more than `burst` times within `window` seconds is cut off. Refusals are
    counted over a window rather than in a row: a client flooding at five times
    the rate gets one frame in five through as the bucket refills, and must be
    cut off all the same.
    """

    class Verdict(enum.Enum):
        OK = "ok"
        WARN = "warn"  # refuse this frame and say why
        DROP = "drop"  # refuse quietly: the client was told already
        CUT = "cut"  # close the socket

    OK, WARN, DROP, CUT = Verdict.OK, Verdict.WARN, Verdict.DROP, Verdict.CUT

    __slots__ = (
        "_refused",
        "_stamp",
        "_tokens",
        "_window_start",
        "burst",
        "clock",
        "rate",
        "window",
    )

    def __init__(
        self, *, rate: float, burst: int, window: float = 10.0, clock=time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.window = window
        self.clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._refused = 0
        self._window_start = self._stamp

    def take(self) -> FrameLimiter.Verdict:
        """Account for one incoming frame."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return self.OK
        if now - self._window_start >= self.window:
            self._window_start, self._refused = now, 0
        self._refused += 1
        if self._refused == 1:
            return self.WARN
        return self.CUT if self._refused > self.burst else self.DROP
