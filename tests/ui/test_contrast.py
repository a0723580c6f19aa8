"""Every text and control in the main window meets WCAG AA contrast (4.5:1 for text, 3:1 for a control's
outline) in the light and the dark look, measured on the rendered window rather than read from the
stylesheet; Qt's own tray balloon (pale yellow whatever the theme) keeps dark text."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

from app.config import Theme
from tests.ui.contrast import area_of, contrast_in, pixels

TEXT_AA = 4.5
CONTROL_AA = 3.0


class QBalloonTip(QWidget):
    """Stands in for Qt's private tray balloon: the stylesheet matches it by class name, and it sets its
    own pale-yellow palette as Qt's does (qsystemtrayicon.cpp)."""

    def __init__(self) -> None:
        super().__init__()
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(0xFF, 0xFF, 0xE1))
        palette.setColor(QPalette.ColorRole.WindowText, Qt.GlobalColor.black)
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        self.title = QLabel("<b>Aris answered</b>", self)
        self.body = QLabel("The capital of France is Paris.", self)
        layout.addWidget(self.title)
        layout.addWidget(self.body)


@pytest.fixture(params=[Theme.LIGHT, Theme.DARK], ids=["light", "dark"])
def theme(request, qapp) -> Iterator[Theme]:
    from ui.theme import apply_theme

    style, sheet, palette = qapp.style().name(), qapp.styleSheet(), qapp.palette()
    qapp.setStyle("Fusion")  # as ui.app does
    apply_theme(qapp, request.param)
    yield request.param
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style)


def shown(qtbot, widget: QWidget, width: int, height: int) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    for _ in range(3):
        QApplication.processEvents()
    return widget


def test_text_and_controls_meet_wcag_aa(qtbot, theme: Theme) -> None:
    from ui.main_window import MainWindow

    window = MainWindow()
    window.set_loaded()
    titles = ["What is the capital of France?", "Tell me a long story about a dragon who learns to cook"]
    window.history.show_conversations(
        [
            SimpleNamespace(id=str(i), title=t, updated_at="2026-12-07T10:00:00+00:00")
            for i, t in enumerate(titles)
        ]
    )
    window.history.set_current("0")
    user = window.conversation.add("user", "What is the capital of France?")
    answer = window.conversation.add("assistant", "The capital of France is **Paris**.")
    thinking = window.conversation.add("assistant", "")
    thinking.set_thinking(True)
    window.notice.show_message("Microphone muted", "Aris is not listening to the microphone.", "info")
    shown(qtbot, window, 1100, 640)
    image = pixels(window.grab().toImage())

    texts: dict[str, tuple[QWidget, QRect | None]] = {
        "state badge": (window.state_badge, None),
        "your message": (user._text, None),
        "your message's time": (user._meta, None),
        "your message's Copy": (user.copy_button, None),
        "Aris's answer": (answer._text, None),
        "Aris's answer's time": (answer._meta, None),
        "Aris's answer's Copy": (answer.copy_button, None),
        "Thinking…": (thinking._text, None),
        "notice title": (window.notice._title, None),
        "notice body": (window.notice._body, None),
        "Send": (window.send_button, None),
        "Talk": (window.talk_button, None),
        "Settings": (window.settings_button, None),
        "New conversation": (window.history.new_button, None),
    }
    for row in range(window.history.list.count()):
        item = window.history.list.item(row)
        state = "selected" if item.isSelected() else "other"
        texts[f"{state} conversation"] = (
            window.history.list.viewport(),
            window.history.list.visualItemRect(item),
        )
    failures = []
    for name, (widget, rect) in texts.items():
        measured, back, fore = contrast_in(area_of(image, window, widget, rect))
        if measured < TEXT_AA:
            failures.append(f"{name}: {measured:.2f}:1 ({fore} on {back})")
    assert not failures, f"{theme.value}: " + "; ".join(failures)


def test_check_boxes_and_tray_balloon_are_readable(qtbot, theme: Theme) -> None:
    page = QWidget()
    page.setObjectName("central")
    layout = QVBoxLayout(page)
    items = QListWidget(page)  # as the Lists panel shows a shopping list
    for text, done in (("milk", True), ("eggs", False)):
        row = QListWidgetItem(text)
        row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        row.setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
        items.addItem(row)
    box = QCheckBox("Start Aris when I log in", page)
    balloon = QBalloonTip()
    layout.addWidget(items)
    layout.addWidget(box)
    layout.addWidget(balloon)
    shown(qtbot, page, 360, 320)
    image = pixels(page.grab().toImage())

    failures = []
    option = QStyleOptionButton()
    option.initFrom(box)
    indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    measured, back, fore = contrast_in(area_of(image, page, box, indicator.adjusted(-2, -2, 2, 2)))
    if measured < CONTROL_AA:
        failures.append(f"check box: {measured:.2f}:1 ({fore} on {back})")
    unchecked = items.visualItemRect(items.item(1))
    unchecked.setWidth(unchecked.height())  # the box at the row's start, without the word
    measured, back, fore = contrast_in(area_of(image, page, items.viewport(), unchecked))
    if measured < CONTROL_AA:
        failures.append(f"list check box: {measured:.2f}:1 ({fore} on {back})")
    for name, label in (("balloon title", balloon.title), ("balloon text", balloon.body)):
        measured, back, fore = contrast_in(area_of(image, page, label))
        if measured < TEXT_AA:
            failures.append(f"{name}: {measured:.2f}:1 ({fore} on {back})")
    assert not failures, f"{theme.value}: " + "; ".join(failures)


def test_every_settings_tab_meets_wcag_aa(qtbot, theme: Theme, tmp_path) -> None:
    """Each tab of Settings as shown: every visible label, check box, radio button, push button and combo box
    text against what is behind it."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox

    from app.config import Settings
    from app.paths import DataPaths
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), DataPaths(tmp_path / "data"), devices=[])
    qtbot.addWidget(dialog)
    failures = []
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        shown(qtbot, dialog, 720, 900)
        image = pixels(dialog.grab().toImage())
        page = dialog.tabs.currentWidget()
        tab = dialog.tabs.tabText(index)
        widgets = [
            w
            for w in page.findChildren(QWidget)
            if w.isVisible()
            and w.isEnabled()  # WCAG sets no contrast for inactive controls
            and isinstance(w, (QLabel, QAbstractButton, QComboBox, QGroupBox))
            and _has_text(w)
            and w.visibleRegion().boundingRect() == w.rect()  # wholly on screen, not scrolled off
        ]
        assert widgets, f"nothing measured on the {tab} tab"
        for widget in widgets:
            measured, back, fore = contrast_in(area_of(image, dialog, widget, _text_area(widget)))
            if measured < TEXT_AA:
                failures.append(f"{tab} / {_has_text(widget)!r}: {measured:.2f}:1 ({fore} on {back})")
    assert not failures, f"{theme.value}: " + "; ".join(failures)


def _has_text(widget: QWidget) -> str:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox

    if isinstance(widget, QLabel):
        return widget.text().strip() if not widget.pixmap() or widget.pixmap().isNull() else ""
    if isinstance(widget, QAbstractButton):
        return widget.text().strip()
    if isinstance(widget, QComboBox):
        return widget.currentText().strip()
    if isinstance(widget, QGroupBox):
        return widget.title().strip()
    return ""


def _text_area(widget: QWidget) -> QRect | None:
    """Where the widget's words are: a group box's title strip, a check box's text without its indicator."""
    from PySide6.QtWidgets import QCheckBox, QGroupBox, QRadioButton

    rect = widget.rect()
    if isinstance(widget, QGroupBox):
        return QRect(0, 0, rect.width(), widget.fontMetrics().height() + 4)
    if isinstance(widget, (QCheckBox, QRadioButton)):
        return rect.adjusted(rect.height(), 0, 0, 0)
    return None
