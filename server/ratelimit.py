"""A fixed-window rate limiter kept in process memory.

Each API process counts on its own, so N replicas behind a load balancer allow up to N times the limit.
That is acceptable for slowing down password guessing; a shared store would be needed for an exact limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable

# Above this many tracked keys, expired windows are swept so memory stays bounded under a key-spraying client.
_SWEEP_AT = 50_000


class RateLimiter:
    """At most `limit` hits per key in each `window_seconds` window."""

    def __init__(
        self, limit: int, window_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[Hashable, tuple[float, int]] = {}

    def hit(self, key: Hashable) -> int | None:
        """Count one hit; None when allowed, else the seconds to wait before the next try."""
        now = self._clock()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            if count >= self.limit:
                return max(1, math.ceil(start + self.window - now))
            self._windows[key] = (start, count + 1)
            if len(self._windows) > _SWEEP_AT:
                self._sweep(now)
            return None

    def _sweep(self, now: float) -> None:
        expired = [key for key, (start, _) in self._windows.items() if now - start >= self.window]
        for key in expired:
            del self._windows[key]
