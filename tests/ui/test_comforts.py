"""Keyboard shortcuts with their tooltips and help, copy buttons, Markdown answers, accessible names."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

from tests.ui.modal import click, when_modal


def start(qtbot, paths):
    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    window = controller.window
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return controller


def test_shortcuts_work_and_are_shown_in_tooltips_and_help(qtbot, paths) -> None:
    controller = start(qtbot, paths)
    window = controller.window
    assert "Ctrl+N" in window.history.new_button.toolTip()
    assert "Ctrl+M" in window.memory_button.toolTip() and "Esc" in window.stop_button.toolTip()
    assert "Ctrl+T" in window.talk_button.toolTip()

    titles: list[str] = []

    def close_settings(dialog: QWidget) -> None:
        titles.append(dialog.windowTitle())
        dialog.reject()

    when_modal(close_settings)
    QTest.keyClick(window.input, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert titles == ["Settings"]

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    QTest.keyClick(window.input, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.findChild(QWidget, "shortcutsHelp") is not None, timeout=5000)
    help_box = window.findChild(QWidget, "shortcutsHelp")
    assert "New conversation" in help_box.text() and "Ctrl+M" in help_box.text()
    help_box.close()

    QTest.keyClick(window.input, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert "Memory" in window.notice.text  # memory not open yet in this session: said, not silent
    controller.bridge.shutdown()


def test_copy_button_and_markdown_answers(qtbot, paths) -> None:
    controller = start(qtbot, paths)
    view = controller.window.conversation
    answer = view.add("assistant", "Use this:\n\n```\nprint('hi')\n```\n\n- one\n- two")
    label = answer.findChild(QLabel, "bubbleText")
    assert label.textFormat() is Qt.TextFormat.MarkdownText
    click(answer.copy_button)
    assert QGuiApplication.clipboard().text() == answer.text
    assert answer.copy_button.text() == "Copied"
    controller.bridge.shutdown()


def test_every_control_has_an_accessible_name(qtbot, paths) -> None:
    controller = start(qtbot, paths)
    unnamed = [
        widget.objectName() or type(widget).__name__
        for widget in controller.window.findChildren(QWidget)
        if isinstance(widget, (QAbstractButton, QLineEdit))
        and widget.isVisibleTo(controller.window)
        and not (
            widget.accessibleName() or (isinstance(widget, QAbstractButton) and widget.text().strip("?✕ "))
        )
    ]
    assert unnamed == []
    controller.bridge.shutdown()
