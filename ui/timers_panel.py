"""The window's Timers panel: each running timer and reminder with a live countdown and a Cancel button. It
reads the database twice a second, so timers set by voice, by the CLI or on the tray all show up."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from app.skills.speech import say_duration
from app.skills.store import SkillStore, Timer, TimerKind, TimerState

REFRESH_MS = 500


def countdown(seconds: float) -> str:
    """ "4:05" or "1:02:03" for a timer; reminders far off read as words."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class TimersPanel(QWidget):
    """Active timers and reminders, soonest first."""

    def __init__(self, store: SkillStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timersPanel")
        self.store = store
        self._rows: dict[str, QLabel] = {}
        self._ids: list[str] = []
        self._column = QVBoxLayout(self)
        self.empty = QLabel("No timers. Say “set a timer for ten minutes”.")
        self.empty.setWordWrap(True)
        self._column.addWidget(self.empty)
        self._column.addStretch(1)
        self._tick = QTimer(self)
        self._tick.setInterval(REFRESH_MS)
        self._tick.timeout.connect(self.refresh)
        self._tick.start()
        self.refresh()

    def stop(self) -> None:
        """Stop re-reading the database (the store is closing)."""
        self._tick.stop()

    def refresh(self) -> None:
        """Show what the database holds now."""
        timers = self.store.active()
        ids = [t.id for t in timers]
        if ids != self._ids:
            self._rebuild(timers)
        now = time.time()
        for timer in timers:
            self._rows[timer.id].setText(self._remaining(timer, now))

    def _remaining(self, timer: Timer, now: float) -> str:
        left = timer.remaining(now)
        paused = " (paused)" if timer.state is TimerState.PAUSED else ""
        if timer.kind is TimerKind.REMINDER and left > 3600:
            return f"in {say_duration(left)}"
        return countdown(left) + paused

    def _rebuild(self, timers: list[Timer]) -> None:
        while self._column.count() > 2:
            item = self._column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._rows.clear()
        self._ids = [t.id for t in timers]
        self.empty.setVisible(not timers)
        for index, timer in enumerate(timers):
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            title = timer.name or ("Timer" if timer.kind is TimerKind.TIMER else "Reminder")
            line.addWidget(QLabel(title.capitalize()), 1)
            remaining = QLabel()
            remaining.setObjectName(f"remaining-{timer.id}")
            line.addWidget(remaining)
            cancel = QPushButton("Cancel")
            cancel.setObjectName(f"cancel-{timer.id}")
            cancel.clicked.connect(lambda _checked=False, t=timer: self._cancel(t))
            line.addWidget(cancel)
            self._rows[timer.id] = remaining
            self._column.insertWidget(index, row)

    def _cancel(self, timer: Timer) -> None:
        self.store.set_state(timer, TimerState.CANCELLED)
        self.refresh()


class TimersMenu(QMenu):
    """The tray's Timers submenu: each timer with its time left when the menu opens; choosing one cancels it."""

    def __init__(self, store: SkillStore, parent: QWidget | None = None) -> None:
        super().__init__("Timers", parent)
        self.setObjectName("timersMenu")
        self.store = store
        self.aboutToShow.connect(self._fill)
        self._fill()

    def _fill(self) -> None:
        self.clear()
        timers = self.store.active()
        if not timers:
            self.addAction("No timers").setEnabled(False)
            return
        now = time.time()
        for timer in timers:
            title = (timer.name or str(timer.kind)).capitalize()
            action = self.addAction(f"Cancel {title} ({countdown(timer.remaining(now))} left)")
            action.setObjectName(f"cancel-{timer.id}")
            action.triggered.connect(
                lambda _checked=False, t=timer: self.store.set_state(t, TimerState.CANCELLED)
            )
