"""Fixed-window rate limits kept in process memory, and the sign-in limits built on them.

Each API process counts on its own, so N replicas behind a load balancer allow up to N times the limit.
That is acceptable for slowing down password guessing; a shared store would be needed for an exact limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
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

    def blocked(self, key: Hashable) -> int | None:
        """Like `hit` without counting: None when a hit would be allowed, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.window or count < self.limit:
                return None
            return max(1, math.ceil(start + self.window - now))

    def _sweep(self, now: float) -> None:
        expired = [key for key, (start, _) in self._windows.items() if now - start >= self.window]
        for key in expired:
            del self._windows[key]


class SignInLimits:
    """Password guessing limits that an attacker cannot turn against the account's owner.

    Per client address, every failure counts, whatever the username (so varying it does not help), and every
    registration. Per account, failures count from anywhere, but only addresses that never signed in to it are
    held back, so the owner's known addresses keep working while strangers hammer the account. Floods of
    concurrent attempts are bounded separately by `server.hashing.PasswordWorkPool`.
    """

    def __init__(self, per_address: int, per_account: int, known_capacity: int = 100_000) -> None:
        self.address = RateLimiter(per_address)
        self.account_failures = RateLimiter(per_account)
        self._known: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._known_capacity = known_capacity
        self._lock = threading.Lock()

    def check(self, address: str, username: str | None) -> tuple[int, str] | None:
        """Whether an attempt may go ahead: None, or (seconds to wait, "address" or "account")."""
        retry_after = self.address.blocked(address)
        if retry_after is not None:
            return retry_after, "address"
        if username is not None and not self.is_known(address, username):
            retry_after = self.account_failures.blocked(username)
            if retry_after is not None:
                return retry_after, "account"
        return None

    def registering(self, address: str) -> int | None:
        """Count a registration from `address`; None when allowed, else the seconds to wait."""
        return self.address.hit(address)

    def failed(self, address: str, username: str) -> None:
        """A wrong password (or unknown username) from `address`."""
        self.address.hit(address)
        self.account_failures.hit(username)

    def succeeded(self, address: str, username: str) -> None:
        """Remember that `address` signed in to `username` (the oldest entries go first when full)."""
        with self._lock:
            self._known[(username, address)] = None
            self._known.move_to_end((username, address))
            while len(self._known) > self._known_capacity:
                self._known.popitem(last=False)

    def is_known(self, address: str, username: str) -> bool:
        """Whether `address` signed in to `username` before (in this process)."""
        with self._lock:
            return (username, address) in self._known
