"""The main window as a keyboard user meets it: where typing goes at launch, titles."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def test_typing_at_launch_goes_into_the_question_box(qtbot, paths) -> None:
    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    window = controller.window
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert QApplication.focusWidget() is window.input
    QTest.keyClicks(QApplication.focusWidget(), "what time is it")
    assert window.input.text() == "what time is it"
    assert getattr(controller, "memory_browser", None) is None  # the space did not press the Memory button
    assert window.windowTitle() == "Aris"
    controller.bridge.shutdown()


def test_tab_shows_a_focus_ring_on_buttons(qtbot, paths) -> None:
    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    window = controller.window
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.input, timeout=5000)
    before = window.send_button.grab().toImage()
    QTest.keyClick(window.input, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.send_button
    after = window.send_button.grab().toImage()
    assert before != after  # the ring is drawn
    controller.bridge.shutdown()
