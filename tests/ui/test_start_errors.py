"""Start-up problems appear in windows whose buttons work: an unusable data folder, a damaged settings file."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from app.cli import main
from app.config import load_settings
from tests.ui.modal import click, click_box_button, click_check, when_modal
from ui.cli import DESKTOP_EXTENSIONS

BROKEN = '{"memory_enabled": tru'


def test_an_unusable_data_folder_is_explained_in_a_window(qtbot, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    shown: list[str] = []

    def read_and_close(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        shown.append(f"{box.windowTitle()}|{box.text()}|{box.informativeText()}")
        click_box_button(QMessageBox.StandardButton.Close)(box)

    when_modal(read_and_close)
    assert main(["--data-dir", str(blocker / "aris")], DESKTOP_EXTENSIONS) == 1
    assert len(shown) == 1
    title, text, help_text = shown[0].split("|")
    assert title == "Aris cannot start" and "Cannot create the data folder" in text
    assert "--data-dir" in help_text


def _answer(label: str):
    def handle(box: QWidget) -> None:
        assert isinstance(box, QMessageBox) and box.objectName() == "brokenSettings"
        assert "Aris cannot read its settings file" in box.text()
        assert "not valid JSON" in box.informativeText()
        click(next(button for button in box.buttons() if button.text() == label))

    return handle


def _save_settings_by_click(qtbot, controller, change) -> None:
    """Open Settings from the window's button, change something, click Save."""

    def in_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, QDialog)
        change(dialog)
        click(dialog.save_button)

    when_modal(in_dialog)
    click(controller.window.settings_button)


def test_start_fresh_sets_the_damaged_file_aside_and_saves_normally(qtbot, paths) -> None:
    from ui.app import build_session

    paths.settings_file.write_text(BROKEN)
    when_modal(_answer("Start fresh"))
    controller = build_session(paths, use_tray=False, use_hotkey=False)
    assert controller is not None
    qtbot.addWidget(controller.window)
    assert paths.settings_file.with_name("settings.json.broken").read_text() == BROKEN
    _save_settings_by_click(qtbot, controller, lambda dialog: click_check(dialog.minimized_box))
    assert load_settings(paths.settings_file).start_minimized is True
    controller.bridge.shutdown()


def test_use_defaults_for_now_keeps_the_file_until_settings_are_saved(qtbot, paths) -> None:
    from ui.app import build_session

    paths.settings_file.write_text(BROKEN)
    when_modal(_answer("Use defaults for now"))
    controller = build_session(paths, use_tray=False, use_hotkey=False)
    assert controller is not None
    qtbot.addWidget(controller.window)
    assert paths.settings_file.read_text() == BROKEN  # untouched while the user may still fix it
    controller.update_settings(controller.settings.with_changes(close_hint_shown=True))  # an automatic save
    assert paths.settings_file.read_text() == BROKEN

    _save_settings_by_click(qtbot, controller, lambda dialog: click_check(dialog.minimized_box))
    assert json.loads(paths.settings_file.read_text())["start_minimized"] is True
    assert paths.settings_file.with_name("settings.json.broken").read_text() == BROKEN
    assert "settings.json.broken" in controller.window.notice.text
    controller.bridge.shutdown()


def test_quit_leaves_the_file_alone(qtbot, paths) -> None:
    from ui.app import build_session

    paths.settings_file.write_text(BROKEN)
    when_modal(_answer("Quit"))
    assert build_session(paths, use_tray=False, use_hotkey=False) is None
    assert paths.settings_file.read_text() == BROKEN
