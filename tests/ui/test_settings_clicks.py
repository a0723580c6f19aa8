"""Settings buttons on a loaded session: Test voice speaks, and a new voice speed applies without a restart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSpinBox, QWidget

from engine.audio import WavSink
from tests.ui.modal import click, when_modal
from ui.audio_io import AudioOpeners


def test_test_voice_speaks_and_voice_speed_applies_at_once(qtbot, make_session) -> None:
    session = make_session()
    bridge, window = session.bridge, session.window
    speakers: list[WavSink] = []

    def open_sink(_rate: int) -> WavSink:
        speakers.append(WavSink())
        return speakers[-1]

    bridge.audio = AudioOpeners(bridge.audio.open_source, open_sink)  # records what the test button plays

    def in_dialog(dialog: QWidget) -> None:
        dialog.tabs.setCurrentIndex(1)  # Audio
        assert dialog.voice_button.isVisible()
        click(dialog.voice_button)
        qtbot.waitUntil(lambda: bool(speakers) and speakers[0].played_seconds > 0.5, timeout=60_000)
        dialog.tabs.setCurrentIndex(3)  # Models
        spin = dialog.speed_spin
        spin.setFocus()
        start = spin.value()
        for _ in range(3):
            QTest.keyClick(spin, Qt.Key.Key_Up)  # the arrows' keys: +0.1 each
        assert round(spin.value() - start, 2) == 0.3
        assert spin.buttonSymbols() is not QAbstractSpinBox.ButtonSymbols.NoButtons
        click(dialog.save_button)

    when_modal(in_dialog)
    click(window.settings_button)
    voice = bridge.assistant.factory.synthesizer()
    assert round(voice.speed, 2) == 1.3
    assert "Restart" not in window.notice.text  # no restart needed for the speed
