"""Cancellation as an event, not a polled flag: cancelling runs every registered handler at once
(flush the speaker, abort generation) and wakes anything waiting on the token."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from engine.errors import TurnCancelledError

log = logging.getLogger(__name__)


class CancelToken:
    """Shared by the stages of one turn; ``cancel()`` is safe from any thread and idempotent."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._handlers: list[Callable[[], None]] = []
        self.reason = ""
        self.cancelled_at: float | None = None

    @property
    def cancelled(self) -> bool:
        """True once ``cancel()`` was called."""
        return self._event.is_set()

    def cancel(self, reason: str = "stopped") -> None:
        """Stop the turn now: record why and run the handlers (each at most once)."""
        with self._lock:
            if self._event.is_set():
                return
            self.reason = reason
            self.cancelled_at = time.monotonic()
            self._event.set()
            handlers, self._handlers = self._handlers, []
        for handler in handlers:
            try:
                handler()
            except Exception:  # one broken handler must not keep the others from stopping audio
                log.exception("Cancel handler %r failed", handler)

    def on_cancel(self, handler: Callable[[], None]) -> None:
        """Run ``handler`` when the turn is cancelled (immediately if it already is)."""
        with self._lock:
            if not self._event.is_set():
                self._handlers.append(handler)
                return
        handler()

    def raise_if_cancelled(self) -> None:
        """Raise TurnCancelledError if the turn was cancelled."""
        if self._event.is_set():
            raise TurnCancelledError(f"Turn cancelled: {self.reason}")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or ``timeout`` seconds pass; True if cancelled."""
        return self._event.wait(timeout)


class TurnSlot:
    """The token of the turn running now: starting a turn stops the one before it.

    Whoever runs turns one after another (the desktop's worker, the hands-free loop) keeps one of these, so a
    new question, a click on another conversation or the stop key all cancel through the same place."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: CancelToken | None = None

    def next(self, reason: str) -> CancelToken:
        """Cancel the running turn, if any, for ``reason``; the token of the next one."""
        token = CancelToken()
        with self._lock:
            previous, self._current = self._current, token
        if previous is not None:
            previous.cancel(reason)
        return token

    def cancel(self, reason: str) -> None:
        """Cancel the running turn, if any (the next one gets a fresh token)."""
        with self._lock:
            current = self._current
        if current is not None:
            current.cancel(reason)
