"""The system tray icon: its look follows the turn's state; its menu talks, shows the window, mutes the
microphone, pauses speaking and quits. When sync is set up, a status line and "Sync now" join the menu."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from engine.events import TurnState
from ui.resources import tray_icon
from ui.widgets import STATE_LABELS

NO_TRAY_REASON = (
    "Your desktop has no system tray, so Aris has no tray icon and quits when this window closes. "
    "On GNOME, install the AppIndicator extension to get one."
)


def tray_available() -> bool:
    """True when the desktop has a tray (GNOME needs the AppIndicator extension)."""
    return QSystemTrayIcon.isSystemTrayAvailable()


class Tray(QObject):
    """The tray icon and its menu."""

    talk_requested = Signal()
    toggle_window_requested = Signal()
    mic_muted_changed = Signal(bool)
    speaking_paused_changed = Signal(bool)
    quit_requested = Signal()
    sync_now_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(tray_icon("loading"), self)
        self.icon.setToolTip("Aris — loading models…")
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        self.talk_action = self._action("Talk", self.talk_requested.emit)
        self.window_action = self._action("Hide window", self.toggle_window_requested.emit)
        self.menu.addSeparator()
        self.mute_action = self._action("Mute microphone", None, checkable=True)
        self.mute_action.toggled.connect(self.mic_muted_changed.emit)
        self.mute_action.toggled.connect(lambda _muted: self._refresh())
        self.pause_action = self._action("Pause speaking", None, checkable=True)
        self.pause_action.toggled.connect(self.speaking_paused_changed.emit)
        self.menu.addSeparator()
        self._sync_separator = QAction(self.menu)
        self._sync_separator.setSeparator(True)
        self.sync_status_action = QAction("", self.menu)
        self.sync_status_action.setEnabled(False)  # a status line, not a command
        self.sync_now_action = QAction("Sync now", self.menu)
        self.sync_now_action.triggered.connect(lambda _checked=False: self.sync_now_requested.emit())
        self._sync_shown = False
        self._sync_text = ""
        self.quit_action = self._action("Quit Aris", self.quit_requested.emit)
        # Qt may not show a tray icon at all without a context menu: always set one.
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self._state = TurnState.IDLE
        self._loading = True
        self._hands_free = ""

    def _action(self, text: str, slot, *, checkable: bool = False) -> QAction:
        action = QAction(text, self.menu)
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def show(self) -> None:
        """Put the icon in the tray."""
        self.icon.show()

    def hide(self) -> None:
        """Take the icon out of the tray (on quit)."""
        self.icon.hide()

    def set_loading(self, loading: bool) -> None:
        """Dim the icon while models load."""
        self._loading = loading
        self._refresh()

    def set_state(self, state: TurnState) -> None:
        """Follow the turn's state."""
        self._state = state
        self._refresh()

    def set_hands_free(self, words: str) -> None:
        """Say what hands-free waits for ("Say “Hey Jarvis” to ask"; "" when off or in a turn)."""
        self._hands_free = words
        self._refresh()

    def set_window_visible(self, visible: bool) -> None:
        """Keep the show/hide entry truthful."""
        self.window_action.setText("Hide window" if visible else "Show window")

    def set_muted(self, muted: bool) -> None:
        """Reflect mute done elsewhere (the settings, the window)."""
        self.mute_action.setChecked(muted)

    def set_sync_status(self, text: str | None) -> None:
        """Show the sync status line and "Sync now" (None when sync is not set up: no sync entries)."""
        shown = text is not None
        if shown != self._sync_shown:
            sync_actions = [self.sync_status_action, self.sync_now_action, self._sync_separator]
            if shown:
                self.menu.insertActions(self.quit_action, sync_actions)
            else:
                for action in sync_actions:
                    self.menu.removeAction(action)
            self._sync_shown = shown
        self._sync_text = text or ""
        self.sync_status_action.setText(self._sync_text)
        self._refresh()

    @property
    def variant(self) -> str:
        """The icon variant shown now."""
        if self.mute_action.isChecked():
            return "muted"
        if self._loading:
            return "loading"
        return self._state.value

    def _refresh(self) -> None:
        self.icon.setIcon(tray_icon(self.variant))
        words = "loading models…" if self._loading else STATE_LABELS[self._state].rstrip("…").lower()
        if self.mute_action.isChecked():
            words += ", microphone muted"
        elif self._hands_free and self._state is TurnState.IDLE and not self._loading:
            words = self._hands_free[0].lower() + self._hands_free[1:]
        tip = f"Aris — {words}"
        if self._sync_text:
            tip += f"\n{self._sync_text}"
        self.icon.setToolTip(tip)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_window_requested.emit()
