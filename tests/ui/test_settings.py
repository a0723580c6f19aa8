"""Settings, with real clicks and keys: the dialog's choices are saved and come back after a restart; start at login writes the XDG
autostart entry; hotkey text converts both ways."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from app.config import HotkeyMode, load_settings
from engine.audio import AudioDevice
from tests.ui.modal import choose, click, click_check, click_tab
from ui.hotkey_text import pynput_to_qt, qt_to_pynput

DEVICES = [
    AudioDevice(0, "USB Microphone", 1, 0, 48000.0),
    AudioDevice(1, "Headphones", 0, 2, 48000.0),
]


def test_settings_persist_across_a_restart(qtbot, paths) -> None:
    from ui.app import build_session
    from ui.settings_dialog import SettingsDialog

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    qtbot.addWidget(controller.window)
    dialog = SettingsDialog(controller.settings, paths, devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    click_tab(dialog.tabs, "Audio")
    choose(dialog.input_combo, "USB Microphone")
    choose(dialog.output_combo, "Headphones")
    click_tab(dialog.tabs, "Shortcut")
    click(dialog.hotkey_edit)
    QTest.keyClick(
        dialog.hotkey_edit,
        Qt.Key.Key_K,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    click_check(dialog.toggle_radio)
    click_tab(dialog.tabs, "Models")
    click(dialog.speed_spin)
    for _ in range(3):
        QTest.keyClick(dialog.speed_spin, Qt.Key.Key_Up)
    click_tab(dialog.tabs, "General")
    for box in (dialog.memory_box, dialog.minimized_box, dialog.login_box):
        click_check(box)
    click(dialog.save_button)
    assert dialog.result() == dialog.DialogCode.Accepted
    controller.update_settings(dialog.result_settings())
    controller.bridge.shutdown()

    # A restart reads the same settings back from disk.
    restarted = build_session(paths, use_tray=False, use_hotkey=False)
    qtbot.addWidget(restarted.window)
    s = restarted.settings
    assert s == load_settings(paths.settings_file)
    assert (s.audio.input_device, s.audio.output_device) == ("USB Microphone", "Headphones")
    assert s.hotkey.combo == "<ctrl>+<shift>+k" and s.hotkey.mode is HotkeyMode.TOGGLE
    assert s.models.voice_speed == 1.3
    assert (s.memory_enabled, s.start_minimized, s.start_at_login) == (False, True, True)

    autostart = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "aris.desktop"
    entry = autostart.read_text()
    assert "main.py" in entry and str(paths.root) in entry and "Type=Application" in entry

    # The reopened dialog shows the saved choices.
    again = SettingsDialog(s, paths, devices=DEVICES)
    qtbot.addWidget(again)
    assert again.input_combo.currentData() == "USB Microphone"
    assert again.hotkey_edit.keySequence().toString() == "Ctrl+Shift+K"
    assert again.toggle_radio.isChecked()
    restarted.bridge.shutdown()


def test_cancel_keeps_the_settings_as_they_were(qtbot, paths) -> None:
    from app.config import Settings
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), paths, devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    click_tab(dialog.tabs, "Audio")
    choose(dialog.input_combo, "USB Microphone")
    cancel = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel)
    click(cancel)
    assert dialog.result() == dialog.DialogCode.Rejected and not dialog.isVisible()
    assert dialog.result_settings() == Settings()


def test_turning_start_at_login_off_removes_the_entry(qtbot, paths) -> None:
    from ui.app import build_session

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    qtbot.addWidget(controller.window)
    controller.update_settings(controller.settings.with_changes(start_at_login=True))
    autostart = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "aris.desktop"
    assert autostart.exists()
    controller.update_settings(controller.settings.with_changes(start_at_login=False))
    assert not autostart.exists()
    controller.bridge.shutdown()


@pytest.mark.parametrize(
    ("qt", "pynput"),
    [
        ("Ctrl+Alt+Space", "<ctrl>+<alt>+<space>"),
        ("Ctrl+Shift+K", "<ctrl>+<shift>+k"),
        ("Meta+F9", "<cmd>+<f9>"),
    ],
)
def test_hotkey_text_round_trips(qt: str, pynput: str) -> None:
    assert qt_to_pynput(qt) == pynput
    assert pynput_to_qt(pynput) == qt


def test_an_unusable_key_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be used"):
        qt_to_pynput("Ctrl+Volume Up")


def test_the_dialog_is_as_tall_as_the_tab_shown(qtbot, paths) -> None:
    from app.config import Settings
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), paths, devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.show()
    general = dialog.height()
    page = dialog.tabs.currentWidget()
    assert page.height() >= page.sizeHint().height()  # nothing of the General tab is cut off
    click_tab(dialog.tabs, "Models")
    assert dialog.height() > general + 100  # the tall tab gets its room (within the screen)
    click_tab(dialog.tabs, "General")
    assert dialog.height() == general  # and the short one is not left mostly empty
