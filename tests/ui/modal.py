"""Drive the modal dialogs a click opens (message boxes, input and file dialogs) with real clicks and keys.

A static dialog (`QMessageBox.question`, `QFileDialog.getSaveFileName`) runs its own event loop and blocks the
test until it closes, so the test schedules what the user does in it before clicking the button that opens it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QDeadlineTimer, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

POLL_MS = 20


def when_modal(handle: Callable[[QWidget], None], *, after: QWidget | None = None) -> list[str]:
    """Run ``handle`` on the next modal dialog (other than ``after``) once it shows; returns the titles seen."""
    seen: list[str] = []

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or widget is after or not widget.isVisible():
            QTimer.singleShot(POLL_MS, poll)
            return
        seen.append(widget.windowTitle())
        try:
            handle(widget)
        except BaseException:
            # A failed step must not leave the dialog's own event loop running: the test would hang, not fail.
            if widget.isVisible():
                widget.close()
            raise

    QTimer.singleShot(0, poll)
    return seen


def click_box_button(button: QMessageBox.StandardButton) -> Callable[[QWidget], None]:
    """Click one of a message box's buttons."""

    def handle(widget: QWidget) -> None:
        assert isinstance(widget, QMessageBox), widget
        QTest.mouseClick(widget.button(button), Qt.MouseButton.LeftButton)

    return handle


def type_file_name(path: str) -> Callable[[QWidget], None]:
    """Put a path in a file dialog's name box and click Save/Open."""

    def handle(widget: QWidget) -> None:
        assert isinstance(widget, QFileDialog), widget
        edit = widget.findChild(QLineEdit, "fileNameEdit")
        edit.setText(path)  # typing opens the name completer's popup, which swallows key presses offscreen
        box = widget.findChild(QDialogButtonBox)
        accept = next(b for b in box.buttons() if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole)
        QTest.mouseClick(accept, Qt.MouseButton.LeftButton)

    return handle


def replace_text_and_ok(text: str) -> Callable[[QWidget], None]:
    """Replace a multi-line input dialog's text by typing, then click OK."""

    def handle(widget: QWidget) -> None:
        editor = widget.findChild(QPlainTextEdit)
        editor.setFocus()
        QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(editor, text)
        box = widget.findChild(QDialogButtonBox)
        QTest.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    return handle


def click(widget: QWidget) -> None:
    """A left click in the middle of a button."""
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_check(box: QWidget) -> None:
    """A left click on a check box's or radio button's indicator (its middle may be empty space)."""
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def click_tab(tabs: QTabWidget, title: str) -> None:
    """Click a tab by its title."""
    bar = tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index, f"clicking the {title!r} tab did not open it"


def choose(combo: QComboBox, text: str) -> None:
    """Open a combo box's list with a click and click the entry with this text."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    QTest.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    deadline = QDeadlineTimer(2000)
    while not view.isVisible() and not deadline.hasExpired():
        QTest.qWait(10)
    assert view.isVisible(), "the combo box's list did not open"
    view.scrollTo(view.model().index(index, combo.modelColumn()))
    rect = view.visualRect(view.model().index(index, combo.modelColumn()))
    # The list ignores a release that comes within a double-click interval of it opening (a press-drag).
    QTest.qWait(QApplication.doubleClickInterval() + 50)
    QTest.mouseMove(view.viewport(), rect.center())
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert combo.currentText() == text, (
        f"clicking {text!r} chose {combo.currentText()!r}; list visible {view.isVisible()}, "
        f"current {view.currentIndex().row()}, wanted {index}, rect {rect}, items {combo.count()}, "
        f"popup {QApplication.activePopupWidget()}, modal {QApplication.activeModalWidget()}"
    )


def choose_by_keys(combo: QComboBox, text: str) -> None:
    """Pick a combo box's entry with the arrow keys, as a keyboard user does (inside a modal dialog's own
    event loop, where an offscreen popup list drops the test's clicks)."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text, f"the arrow keys never reached {text!r}"
