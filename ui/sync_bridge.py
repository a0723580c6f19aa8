"""Background sync in the desktop shell: a thin QObject over `app.sync.background`.

The sync runner reports its state from its own thread; this adapter re-emits it as a signal, which Qt queues
to the GUI thread, so widgets are only touched there. Starting (keyring, database) and stopping (waiting for
a round to end) happen off the GUI thread except at quit, where the wait is bounded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal

from app.paths import DataPaths
from app.sync.background import BackgroundSync, start_background_sync
from app.sync.client import RetryPolicy
from app.sync.runner import RunnerSettings, SyncState, SyncStatus
from ui.jobs import run_job

log = logging.getLogger(__name__)

CONFIRM_DELETIONS_CODE = "sync_confirm_deletions"
"""The runner's error code when a round stopped before deleting many memories (SyncDeletionsNeedConfirmationError)."""

STOP_TIMEOUT_S = 5.0
"""How long quitting waits for a sync round in flight; the thread is a daemon, so the process still ends."""

Starter = Callable[[DataPaths, Callable[[SyncState], None]], BackgroundSync | None]


class SyncBridge(QObject):
    """Starts, nudges and stops background sync for one data folder; its state arrives as signals."""

    state_changed = Signal(object)
    """A new SyncState (queued to the GUI thread)."""
    running_changed = Signal(bool)
    """Background sync started (True) or stopped (False): the tray shows or drops its sync entries."""
    start_failed = Signal(str)
    """Sync is set up but could not start (secrets missing, database unusable): a sentence for the user."""
    _started = Signal(bool, str)
    """(running, problem) from the start and stop threads."""

    def __init__(
        self,
        paths: DataPaths,
        parent: QObject | None = None,
        *,
        settings: RunnerSettings | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Args:
        settings: round timing (tests shorten it); None for the runner's defaults.
        retry: how the client retries a failing request (tests make it quick).
        """
        super().__init__(parent)
        self.paths = paths
        self.settings = settings
        self.retry = retry
        self._lock = threading.Lock()
        self._background: BackgroundSync | None = None
        self._closed = False
        self.state: SyncState | None = None
        self.deletions_declined = False
        """The user said no to the deletions the last round stopped for; asked again after "Sync now"."""
        self._started.connect(self._on_started)

    @property
    def running(self) -> bool:
        """Whether background sync runs now."""
        return self._background is not None

    def start(self) -> None:
        """Start background sync if it is set up (no-op otherwise); the work happens in a thread."""
        with self._lock:
            if self._background is not None:
                return
            self._closed = False
        run_job(
            self._start,
            lambda running: self._on_started(True, "") if running else None,
            # a SyncError, or the local database unusable
            lambda error: self._on_started(False, error.message),
            owner=self,
            name="sync-start",
        )

    def _start(self) -> bool:
        """Whether background sync now runs (worker thread)."""
        background = start_background_sync(self.paths, self._publish, self.settings, retry=self.retry)
        if background is None:
            log.info("Sync is not set up for %s", self.paths.root)
            return False
        with self._lock:
            closed = self._closed
            if not closed:
                self._background = background
        if closed:  # quit or sign-out came first
            background.stop(STOP_TIMEOUT_S)
            return False
        return True

    def _publish(self, state: SyncState) -> None:
        """Called in the sync thread: hand the state to the GUI thread, unless the shell is closing."""
        if self._closed:
            return
        self.state = state
        try:
            self.state_changed.emit(state)
        except RuntimeError:  # the shell's objects are gone (closed without quit): nobody left to tell
            self._closed = True

    def _on_started(self, running: bool, problem: str) -> None:
        if problem:
            self.start_failed.emit(problem)
        self.running_changed.emit(running)

    def sync_now(self) -> None:
        """The user asked for a round ("Sync now"): also ask again about deletions they declined."""
        self.deletions_declined = False
        self.sync_soon()

    def sync_soon(self) -> None:
        """Run a round soon (after a local edit); no-op when sync is not running."""
        background = self._background
        if background is not None:
            background.sync_soon()

    def allow_deletions_once(self) -> None:
        """The user confirmed the deletions the last round stopped for."""
        background = self._background
        if background is not None:
            background.allow_deletions_once()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop after the current round (bounded wait); safe from any thread, and more than once."""
        with self._lock:
            self._closed = True
            background, self._background = self._background, None
        if background is None:
            return
        background.stop(timeout)
        self.state = None
        self._started.emit(False, "")


# Status lines for states that need no numbers, by (status, error code); code None matches any code.
_STATUS_LINES: dict[tuple[SyncStatus, str | None], str] = {
    (SyncStatus.SYNCING, None): "Syncing…",
    (SyncStatus.OFFLINE, "sync_rate_limited"): "Sync: server busy, retrying",
    (SyncStatus.OFFLINE, None): "Sync error: server unreachable",
    (SyncStatus.NEEDS_SIGN_IN, None): "Sync: sign in again in Settings",
    (SyncStatus.ERROR, CONFIRM_DELETIONS_CODE): "Sync paused: deletions need your OK",
    (SyncStatus.ERROR, None): "Sync error: see Settings → Account",
    (SyncStatus.STOPPED, None): "Sync stopped: see Settings → Account",
}


def describe_state(state: SyncState | None, now: datetime | None = None) -> str:
    """One short line for the tray menu and tooltip ("Synced 2 min ago", "Sync: 3 changes waiting", …)."""
    if state is None:
        return "Sync: starting…"
    line = _STATUS_LINES.get((state.status, state.last_error_code)) or _STATUS_LINES.get((state.status, None))
    if line is not None:
        return line
    if state.pending:
        noun = "change" if state.pending == 1 else "changes"
        return f"Sync: {state.pending} {noun} waiting"
    if state.last_sync_at is None:
        return "Sync: not synced yet"
    return "Synced " + ago(state.last_sync_at, now)


def ago(moment: datetime, now: datetime | None = None) -> str:
    """ "just now", "2 min ago", "3 h ago", or a date for older moments."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86_400:
        return f"{int(seconds // 3600)} h ago"
    return "on " + moment.astimezone().strftime("%d %b %Y %H:%M")
