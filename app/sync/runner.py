"""Background sync: a thread that runs rounds on an interval, backs off on failure, and reports its state."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from tenacity import RetryCallState, Retrying, retry_if_exception_type
from tenacity.wait import wait_exponential, wait_random_exponential

from app.errors import ArisError
from app.sync.engine import SyncReport
from app.sync.errors import (
    SyncAuthError,
    SyncDeletionsNeedConfirmationError,
    SyncRateLimitedError,
    SyncUnavailableError,
)

log = logging.getLogger(__name__)


class RoundRunner(Protocol):
    """Runs one sync round (`SyncSession` in the app, which also saves the outcome for `sync status`)."""

    def sync_once(self) -> SyncReport:
        """Pull and push once."""
        ...

    def has_local_changes(self) -> bool:
        """Whether local edits wait to be sent (checked often, so it must be cheap)."""
        ...


class SyncStatus(StrEnum):
    """What the background sync is doing."""

    IDLE = "idle"
    SYNCING = "syncing"
    OFFLINE = "offline"
    """The server is unreachable; retrying with backoff. Local data is unaffected."""
    NEEDS_SIGN_IN = "needs_sign_in"
    """The server refused this device; no more tries until the user signs in again."""
    ERROR = "error"
    STOPPED = "stopped"


@dataclass(frozen=True)
class PendingDeletions:
    """A round stopped before applying many deletions made on another device: they wait for the user's yes."""

    deletions: int
    """Memories of this device that the server holds deletions of."""
    live: int
    """Memories this device has."""


@dataclass(frozen=True)
class SyncState:
    """A snapshot for the UI: sent to the callback after every change."""

    status: SyncStatus
    last_sync_at: datetime | None = None
    pending: int | None = None
    last_error_code: str | None = None
    last_error_message: str | None = None
    consecutive_failures: int = 0
    last_report: SyncReport | None = None
    pending_deletions: PendingDeletions | None = None
    """Set while the last round stopped for deletions that need a yes (the app asks with buttons)."""


@dataclass(frozen=True)
class RunnerSettings:
    """Timing of background sync."""

    interval_seconds: float = 60.0
    """Time between rounds when all is well."""
    max_backoff_seconds: float = 900.0
    """Longest wait after repeated failures."""
    local_check_seconds: float = 5.0
    """Between successful rounds, how often to look for local edits and send them at once instead of at the
    next interval; 0 turns this off. Bounds how long an edit takes to leave this device."""

    def __post_init__(self) -> None:
        if self.interval_seconds <= 0 or self.max_backoff_seconds < self.interval_seconds:
            raise ValueError("interval must be > 0 and not above max_backoff")
        if self.local_check_seconds < 0:
            raise ValueError("local_check_seconds must be 0 or more")


class SyncRunner:
    """Runs `engine.sync_once()` in a daemon thread until stopped."""

    def __init__(
        self,
        engine: RoundRunner,
        on_state: Callable[[SyncState], None],
        settings: RunnerSettings | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings or RunnerSettings()
        self._on_state = on_state
        # "Equal jitter": half the exponential step for sure, the other half at random, so devices that
        # went offline together do not all come back at the same second, yet none retries much sooner
        # than the step says.
        half = wait_exponential(
            multiplier=self.settings.interval_seconds / 2, max=self.settings.max_backoff_seconds / 2
        )
        self._jittered_backoff = half + wait_random_exponential(
            multiplier=self.settings.interval_seconds / 2, max=self.settings.max_backoff_seconds / 2
        )
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = SyncState(SyncStatus.IDLE)

    @property
    def state(self) -> SyncState:
        """The latest state."""
        return self._state

    def start(self) -> None:
        """Start the thread; the first round runs at once."""
        if self._thread is not None:
            raise RuntimeError("SyncRunner already started")
        self._thread = threading.Thread(target=self._run, name="aris-sync", daemon=True)
        self._thread.start()

    def sync_now(self) -> None:
        """Run a round as soon as possible (also after a sign-in problem was fixed)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the thread to finish after the current round; True if it ended within `timeout`."""
        self._stop.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._until_a_round_succeeds() is None:
                break
            self._idle(self.settings.interval_seconds)
        self._publish(status=SyncStatus.STOPPED)

    def _until_a_round_succeeds(self) -> SyncReport | None:
        """Rounds until one succeeds, with backoff between them; None once stopped."""
        retrying = Retrying(
            retry=retry_if_exception_type(ArisError),  # anything else is a bug: it ends the thread
            wait=self._backoff,
            sleep=self._sleep_unless_woken,
            stop=lambda _state: self._stop.is_set(),
            before_sleep=self._publish_failure,
            retry_error_callback=lambda _state: None,
        )
        report: SyncReport | None = retrying(self._round)
        return report

    def _round(self) -> SyncReport | None:
        """One round, its outcome published; None when stopped meanwhile."""
        if self._stop.is_set():
            return None
        self._publish(status=SyncStatus.SYNCING)
        try:
            report = self.engine.sync_once()
        except ArisError:
            raise
        except Exception as error:
            # A bug, not a sync condition: report it and end the thread rather than loop on it.
            log.exception("Background sync stopped by an unexpected error")
            self._publish(
                status=SyncStatus.STOPPED,
                last_error_code="sync_internal",
                last_error_message=f"Sync stopped after an unexpected error: {error}",
            )
            raise
        self._publish(
            status=SyncStatus.IDLE,
            last_sync_at=datetime.now(UTC),
            pending=report.pending,
            last_error_code=None,
            last_error_message=None,
            consecutive_failures=0,
            last_report=report,
            pending_deletions=None,
        )
        return report

    def _backoff(self, state: RetryCallState) -> float:
        """Seconds until the next round after `state.attempt_number` failures in a row."""
        if isinstance(_failure(state), SyncAuthError):
            return math.inf  # retrying cannot fix a revoked token: wait for sync_now() or stop()
        return float(self._jittered_backoff(state))

    def _sleep_unless_woken(self, seconds: float) -> None:
        """Wait out a backoff; `sync_now()` or `stop()` ends it early."""
        self._wake.wait(None if math.isinf(seconds) else seconds)
        self._wake.clear()

    def _publish_failure(self, state: RetryCallState) -> None:
        error = _failure(state)
        assert isinstance(error, ArisError)  # only these are retried
        if isinstance(error, SyncAuthError):
            status = SyncStatus.NEEDS_SIGN_IN
        elif isinstance(error, SyncUnavailableError | SyncRateLimitedError):
            status = SyncStatus.OFFLINE
        else:  # a sync refusal, or the local database busy or full: try later
            status = SyncStatus.ERROR
        self._publish_error(status, error, state.attempt_number)

    def _idle(self, wait: float) -> None:
        """After a good round: wait until `wait` runs out, `sync_now()`/`stop()` is called, or local edits
        appear."""
        step = self.settings.local_check_seconds
        if step <= 0:
            self._sleep_unless_woken(wait)
            return
        deadline = time.monotonic() + wait
        while (remaining := deadline - time.monotonic()) > 0:
            if self._wake.wait(min(remaining, step)):
                self._wake.clear()
                return
            try:
                if self.engine.has_local_changes():
                    return
            except ArisError:
                return  # the round will meet the same problem and report it

    def _publish_error(self, status: SyncStatus, error: ArisError, failures: int) -> None:
        log.info("Sync round failed (%s): %s", error.code, error.message)
        self._publish(
            status=status,
            last_error_code=error.code,
            last_error_message=error.message,
            consecutive_failures=failures,
            pending_deletions=(
                PendingDeletions(error.deletions, error.live)
                if isinstance(error, SyncDeletionsNeedConfirmationError)
                else None
            ),
        )

    def _publish(self, **changes: object) -> None:
        self._state = replace(self._state, **changes)  # type: ignore[arg-type]
        self._on_state(self._state)


def _failure(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome is not None else None
