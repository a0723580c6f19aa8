"""Background sync as the desktop shows it: the tray's status line, a round soon after local changes, and the
question before applying many deletions made on another device (asked from the runner's typed state)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from app.sync.runner import PendingDeletions, SyncState, SyncStatus
from ui.sync_bridge import SyncBridge, describe_state
from ui.tray import Tray

SYNC_NUDGE_DELAY_MS = 2000
"""After a turn, wait this long before a sync round so the conversation log and memory's learning have
landed; the runner's own check for local edits picks up anything later."""
SYNC_CLOCK_MS = 30_000
"""How often "Synced 2 min ago" is rewritten."""


class SyncPrompts(QObject):
    """Shows the sync state, asks before deletions, and nudges a round after local changes."""

    def __init__(
        self, sync: SyncBridge, window: QWidget, tray: Callable[[], Tray | None], parent: QObject
    ) -> None:
        """Args:
        tray: the tray icon, if the desktop has one (it may appear after this is made).
        """
        super().__init__(parent)
        self.sync = sync
        self.window = window
        self._tray = tray
        self.confirm_deletions: Callable[[PendingDeletions], bool] = self._ask_deletions
        """Asks whether to apply the deletions a sync round stopped for; tests replace it."""
        self._asking = False
        self.nudge_timer = QTimer(self)
        self.nudge_timer.setSingleShot(True)
        self.nudge_timer.setInterval(SYNC_NUDGE_DELAY_MS)
        self.nudge_timer.timeout.connect(self.nudge)
        self._clock = QTimer(self)
        self._clock.setInterval(SYNC_CLOCK_MS)
        self._clock.timeout.connect(self.show_state)
        sync.state_changed.connect(self._on_state_changed)
        sync.running_changed.connect(self._on_running_changed)

    def nudge(self) -> None:
        """Local data changed (memory browser, a finished turn): send it soon rather than at the next interval."""
        self.sync.sync_soon()

    def nudge_soon(self) -> None:
        """A turn ended: nudge once its log and learning have had time to land."""
        self.nudge_timer.start()

    def show_state(self) -> None:
        """The tray's sync line ("Synced 2 min ago"), or none while sync is not running."""
        tray = self._tray()
        if tray is not None:
            tray.set_sync_status(describe_state(self.sync.state) if self.sync.running else None)

    def stop(self) -> None:
        """Stop the timers (at quit, before the sync thread stops)."""
        self.nudge_timer.stop()
        self._clock.stop()

    def _on_running_changed(self, running: bool) -> None:
        if running:
            self._clock.start()
        else:
            self._clock.stop()
        self.show_state()

    def _on_state_changed(self, state: SyncState) -> None:
        self.show_state()
        pending = state.pending_deletions
        if state.status is not SyncStatus.ERROR or pending is None:
            return
        if self.sync.deletions_declined or self._asking:
            return
        self._asking = True
        try:
            if self.confirm_deletions(pending):
                self.sync.allow_deletions_once()
            else:
                self.sync.deletions_declined = True
        finally:
            self._asking = False

    def _ask_deletions(self, pending: PendingDeletions) -> bool:
        answer = QMessageBox.question(
            self.window,
            "Apply deletions from another computer?",
            f"Another computer deleted {pending.deletions} of the {pending.live} memories on this computer. "
            "Nothing has been deleted here yet.\n\nDelete these memories on this computer too? If you choose "
            "No, sync stays paused and asks again when you press Sync now.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes
