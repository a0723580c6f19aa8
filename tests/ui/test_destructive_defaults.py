"""A question before something that cannot be undone (sign out of sync, forget a memory) has Cancel as its
default button: Enter, pressed out of habit, must not do it."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from tests.ui.modal import click_box_button, when_modal


@pytest.mark.parametrize("owner", ["ui.sync_section.SyncSection", "ui.memory_browser.MemoryBrowser"])
def test_destructive_questions_default_to_cancel(qtbot, owner: str) -> None:
    import importlib

    module_name, class_name = owner.rsplit(".", 1)
    ask = getattr(importlib.import_module(module_name), class_name)._ask
    parent = QWidget()
    qtbot.addWidget(parent)
    defaults: list[QMessageBox.StandardButton] = []

    def look_then_cancel(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        defaults.append(box.standardButton(box.defaultButton()))
        click_box_button(QMessageBox.StandardButton.Cancel)(box)

    when_modal(look_then_cancel)
    assert ask(parent, "Sign out of sync?", "This cannot be undone.") is False
    assert defaults == [QMessageBox.StandardButton.Cancel]
