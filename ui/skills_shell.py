"""The skills in the desktop app: timers and reminders ring from here (chime and voice on the speaker, a
notification on the tray and in the window), and the Timers and Lists panels dock beside the conversation."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QDockWidget

from app.skills.alarms import AlarmWatcher, Ring, missed_text
from app.skills.store import SkillStore, TimerKind
from app.storage.database import open_database
from ui.lists_panel import ListsPanel
from ui.timers_panel import TimersMenu, TimersPanel

if TYPE_CHECKING:
    from ui.controller import Controller

log = logging.getLogger(__name__)


class SkillsShell(QObject):
    """Rings due timers and owns the Timers and Lists panels of one window."""

    rang = Signal(object)
    """A timer or reminder came due (a ``Ring``); emitted on the GUI thread."""

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        self.controller = controller
        self.store = SkillStore(open_database(controller.paths.database))
        self._watch_store = SkillStore(open_database(controller.paths.database))
        self.watcher = AlarmWatcher(self._watch_store, self._on_due, language=self._language)
        self.rang.connect(self._on_rang)
        self.timers_panel = TimersPanel(self.store)
        self.lists_panel = ListsPanel(self.store)
        window = controller.window
        self.docks = []
        for title, panel in (("Timers", self.timers_panel), ("Lists", self.lists_panel)):
            dock = QDockWidget(title, window)
            dock.setObjectName(f"{title.lower()}Dock")
            dock.setWidget(panel)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.docks.append(dock)
        self.tray_menu: TimersMenu | None = None
        if controller.tray is not None:
            self.tray_menu = TimersMenu(self.store)
            controller.tray.menu.insertMenu(controller.tray.quit_action, self.tray_menu)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def start(self) -> None:
        """Announce what was missed while Aris was closed, then ring due timers from now on."""
        missed = self.watcher.missed_at_start()
        if missed:
            text = missed_text(missed, self._language())
            self._notify("Missed while Aris was closed", text)
            self.controller.bridge.announce(text)
        self.watcher.start()

    def stop(self) -> None:
        """Stop ringing and release the database (bounded wait)."""
        self.watcher.stop()
        self.timers_panel.stop()
        self.lists_panel.stop()
        for store in (self.store, self._watch_store):
            store.db.conn.close()  # closing twice is harmless

    def _language(self) -> str:
        """The reply language timers ring in: the fixed language setting (English on "auto")."""
        return self.controller.settings.models.language

    def _on_due(self, ring: Ring) -> None:
        self.rang.emit(ring)  # watcher thread → GUI thread (queued connection)

    def _on_rang(self, ring: Ring) -> None:
        title = "Reminder" if ring.timer.kind is TimerKind.REMINDER else "Timer"
        log.info("%s rang: %s", title, ring.text)
        self._notify(title, ring.text)
        self.controller.bridge.announce(ring.text)
        self.timers_panel.refresh()

    def _notify(self, title: str, text: str) -> None:
        self.controller.window.notice.show_message(title, text, "info")
        # A ringing timer is news even with the window in sight (it may be behind another window).
        self.controller.notifier.notify(title, text, only_out_of_sight=False)
