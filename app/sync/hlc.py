"""Hybrid logical clock: wall-clock milliseconds, a counter and a node id, encoded so text order is time order.

Two devices' edits to one record are ordered by their HLC strings: later wall time wins, the counter orders
events within the same millisecond (or while the wall clock lags a clock seen from elsewhere), and the node id
breaks the last ties so no two devices ever produce the same stamp.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WALL_DIGITS = 13  # milliseconds since 1970 fit 13 digits until the year 2286
COUNTER_DIGITS = 5
MAX_COUNTER = 10**COUNTER_DIGITS - 1
_NODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_STAMP = re.compile(rf"([0-9]{{{WALL_DIGITS}}})-([0-9]{{{COUNTER_DIGITS}}})-({_NODE.pattern})")


@dataclass(frozen=True, order=True)
class Timestamp:
    """One HLC reading. Orders like its string encoding."""

    wall_ms: int
    counter: int
    node: str

    def __post_init__(self) -> None:
        if not 0 <= self.wall_ms < 10**WALL_DIGITS:
            raise ValueError(f"wall_ms out of range: {self.wall_ms}")
        if not 0 <= self.counter <= MAX_COUNTER:
            raise ValueError(f"counter out of range: {self.counter}")
        if not _NODE.fullmatch(self.node):
            raise ValueError(f"node id must be 1-64 of [A-Za-z0-9_-], got {self.node!r}")

    def encode(self) -> str:
        """The sortable text form, e.g. `1764061200000-00003-a1b2c3`."""
        return f"{self.wall_ms:0{WALL_DIGITS}d}-{self.counter:0{COUNTER_DIGITS}d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        """Read the text form; ValueError if it is not one."""
        match = _STAMP.fullmatch(text)
        if match is None:
            raise ValueError(f"Not a hybrid logical clock stamp: {text!r}")
        return cls(int(match[1]), int(match[2]), match[3])

    def __str__(self) -> str:
        return self.encode()


class HybridLogicalClock:
    """A thread-safe HLC for one node (device)."""

    def __init__(
        self,
        node: str,
        *,
        last: str | None = None,
        wall_clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        """Start the clock for `node`, never behind `last` (the newest stamp this device has issued or seen)."""
        self.node = node
        self._wall = wall_clock_ms
        self._lock = threading.Lock()
        self._last = Timestamp(0, 0, node)
        if last is not None:
            seen = Timestamp.parse(last)
            self._last = Timestamp(seen.wall_ms, seen.counter, node)

    def tick(self) -> str:
        """A new stamp for a local event, greater than every stamp issued or observed so far."""
        with self._lock:
            wall = self._wall()
            if wall > self._last.wall_ms:
                self._last = Timestamp(wall, 0, self.node)
            else:
                self._last = self._advance(self._last.wall_ms, self._last.counter)
            return self._last.encode()

    def observe(self, remote: str) -> str:
        """Merge a stamp received from elsewhere; later local ticks sort after it. Returns the new reading."""
        seen = Timestamp.parse(remote)
        with self._lock:
            wall = self._wall()
            top = max(wall, self._last.wall_ms, seen.wall_ms)
            if top == self._last.wall_ms and top == seen.wall_ms:
                self._last = self._advance(top, max(self._last.counter, seen.counter))
            elif top == self._last.wall_ms:
                self._last = self._advance(top, self._last.counter)
            elif top == seen.wall_ms:
                self._last = self._advance(top, seen.counter)
            else:
                self._last = Timestamp(top, 0, self.node)
            return self._last.encode()

    @property
    def last(self) -> str:
        """The newest stamp issued or observed (persist it to seed the clock on the next start)."""
        with self._lock:
            return self._last.encode()

    def _advance(self, wall: int, counter: int) -> Timestamp:
        # Counter overflow (100,000 events in one millisecond) borrows the next millisecond instead of failing.
        if counter >= MAX_COUNTER:
            return Timestamp(wall + 1, 0, self.node)
        return Timestamp(wall, counter + 1, self.node)
