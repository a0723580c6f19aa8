"""The Qt build we pin must not leak references to None: PySide6 6.12.0 did, and Python 3.11 then aborts
the app after a few thousand widget updates (the level meter alone repaints 30 times a second)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_none_alive(qtbot) -> None:
    label = QLabel("level")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(20_000):
        label.update()
        label.setText("meter")
    assert sys.getrefcount(None) >= before - 100
