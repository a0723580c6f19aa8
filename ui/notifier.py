"""Desktop notifications: an answer or a timer that finishes while the window is out of sight (hidden to
the tray or minimised) is announced as a tray message; without a tray, the taskbar entry asks for
attention instead (Qt's `alert`, the urgency hint on X11)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon

log = logging.getLogger(__name__)

MESSAGE_MS = 8000
"""How long a tray message stays (the desktop may keep it longer in its notification list)."""


class Notifier(QObject):
    """Shows notifications for one window."""

    notified = Signal(str, str, str)
    """A notification was shown: title, text, and how ("tray" or "taskbar")."""

    def __init__(self, window: QMainWindow, tray_icon: Callable[[], QSystemTrayIcon | None]) -> None:
        """Args:
        tray_icon: the session's tray icon now (None without a tray); asked each time, as the tray comes
            and goes with the session.
        """
        super().__init__(window)
        self.window = window
        self._tray_icon = tray_icon

    def out_of_sight(self) -> bool:
        """True when the user cannot see the window (hidden to the tray, or minimised)."""
        return not self.window.isVisible() or self.window.isMinimized()

    def notify(self, title: str, text: str, *, only_out_of_sight: bool = True) -> bool:
        """Tell the user; returns False when nothing was shown (the window is in sight and that suffices)."""
        if only_out_of_sight and not self.out_of_sight():
            return False
        icon = self._tray_icon()
        if icon is not None:
            icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, MESSAGE_MS)
            how = "tray"
        else:
            QApplication.alert(self.window)
            how = "taskbar"
        log.info("Notified (%s): %s", how, title)
        self.notified.emit(title, text, how)
        return True
