"""Settings: the dialog's choices are saved and come back after a restart; start at login writes the XDG
autostart entry; hotkey text converts both ways."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence

from app.config import HotkeyMode, load_settings
from engine.audio import DeviceInfo
from ui.hotkey_text import pynput_to_qt, qt_to_pynput

DEVICES = [
    DeviceInfo(0, "USB Microphone", 1, 0, 48000.0),
    DeviceInfo(1, "Headphones", 0, 2, 48000.0),
]


def test_settings_persist_across_a_restart(qtbot, paths) -> None:
    from ui.app import build_session
    from ui.settings_dialog import SettingsDialog

    controller = build_session(paths, use_tray=False, use_hotkey=False)
    qtbot.addWidget(controller.window)
    dialog = SettingsDialog(controller.settings, paths, devices=DEVICES)
    qtbot.addWidget(dialog)
    dialog.input_combo.setCurrentIndex(dialog.input_combo.findData("USB Microphone"))
    dialog.output_combo.setCurrentIndex(dialog.output_combo.findData("Headphones"))
    dialog.hotkey_edit.setKeySequence(QKeySequence("Ctrl+Shift+K"))
    dialog.toggle_radio.setChecked(True)
    dialog.speed_spin.setValue(1.3)
    dialog.memory_box.setChecked(False)
    dialog.minimized_box.setChecked(True)
    dialog.login_box.setChecked(True)
    dialog.save_button.click()
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
