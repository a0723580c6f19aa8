"""Ctrl+C in the terminal (SIGINT) and a polite kill (SIGTERM, as at logout) quit the desktop app the same
way as Quit in the tray.

Python runs a signal handler only between bytecodes, and Qt's event loop waits in C++, so a plain handler
fired only whenever a timer happened to call back into Python, as a KeyboardInterrupt inside that slot that
Qt printed and ignored. The C-level handler instead writes the signal's number to a socket that a
QSocketNotifier watches, which wakes the event loop at once."""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignals(QObject):
    """Calls ``on_stop`` in the GUI thread when the process gets SIGINT or SIGTERM."""

    def __init__(self, on_stop: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_stop = on_stop
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {number: signal.signal(number, _note_only) for number in STOP_SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_woken)

    def _on_woken(self) -> None:
        try:
            numbers = self._reader.recv(64)
        except BlockingIOError:
            return
        names = sorted({signal.Signals(number).name for number in numbers if number in STOP_SIGNALS})
        if names:
            log.info("Quitting on %s", ", ".join(names))
            self._on_stop()

    def restore(self) -> None:
        """Give the signals back to their previous handlers (tests start several sessions in one process)."""
        self._notifier.setEnabled(False)
        for number, previous in self._previous.items():
            signal.signal(number, previous)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()


def _note_only(_number: int, _frame: object) -> None:
    """The wake-up socket already carries the signal to the event loop: nothing to do in Python here."""
