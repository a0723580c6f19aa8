"""Timestamps and hybrid logical clock values stamped on every row.

Timestamps are ISO 8601 in UTC with milliseconds (``2026-11-25T09:03:09.123+00:00``): readable, and they sort
as text. The ``hlc`` column is filled for the sync engine to come: ``<ms since epoch, 13 digits>-<counter, 4
digits>-<node id>``, which also sorts as text and never goes backwards on this device.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


def utc_now() -> str:
    """Now, as ISO 8601 UTC with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def parse_time(value: str) -> datetime:
    """A stored timestamp back as an aware datetime."""
    return datetime.fromisoformat(value)


MAX_COUNTER = 9999
"""The largest counter that fits the clock's four-digit field."""


class HybridClock:
    """A hybrid logical clock for one device: wall-clock milliseconds plus a counter for ties and skew."""

    def __init__(self, node_id: str) -> None:
        """``node_id`` identifies this device's database (stored in its meta table)."""
        self.node_id = node_id
        self._last_ms = 0
        self._counter = 0
        self._lock = threading.Lock()

    def now(self) -> str:
        """The next clock value; strictly greater than every earlier one from this clock."""
        with self._lock:
            wall = int(time.time() * 1000)
            if wall > self._last_ms:
                self._last_ms, self._counter = wall, 0
            elif self._counter < MAX_COUNTER:
                self._counter += 1
            else:
                # The counter has four digits so values sort as text; a full one moves to the next millisecond.
                self._last_ms, self._counter = self._last_ms + 1, 0
            return f"{self._last_ms:013d}-{self._counter:04d}-{self.node_id}"

    def observe(self, value: str) -> None:
        """Move past a stored or received value so new stamps sort after it."""
        with self._lock:
            ms_text, counter_text, _ = value.split("-", 2)
            ms, counter = int(ms_text), int(counter_text)
            self._last_ms, self._counter = max((self._last_ms, self._counter), (ms, counter))
