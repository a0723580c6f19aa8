"""The wake word in the desktop app, as a user sets it up: Settings → Audio → Wake word, Save, then "Hey
Jarvis" and a question spoken into a private PulseAudio room are answered in the window with no key pressed;
muted from the tray, the same words do nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from app.bench.wake_speech import PiperSpeaker, espeak
from app.hands_free import HandsFreeState
from app.soundserver import PrivateSoundServer
from engine.audio import MicrophoneSource, WavSink, write_wav
from engine.wake import WakeWord
from models.resolve import resolve_model
from tests.conftest import CAPITAL_QUESTION
from tests.hearing import assert_heard
from tests.ui.modal import click, when_modal
from ui.audio_io import AudioOpeners

RATE = 16_000


@pytest.fixture()
def woken(tmp_path: Path, session_paths) -> Path:
    """ "Hey Jarvis." in a piper voice, then the capital question in espeak's."""
    piper = PiperSpeaker(resolve_model("piper-joe-medium", session_paths.cache_dir).path)
    gap = np.zeros(int(0.3 * RATE), dtype=np.float32)
    audio = np.concatenate(
        [piper.say("Hey Jarvis."), gap, espeak(CAPITAL_QUESTION, words_per_minute=140), gap]
    )
    path = tmp_path / "woken.wav"
    write_wav(path, audio, RATE)
    return path


def _choose_wake_word_in_settings(qtbot, window: QWidget, phrase: str) -> None:
    """Open Settings, pick the wake word on the Audio tab with the keyboard, Save."""

    def in_dialog(dialog: QWidget) -> None:
        dialog.tabs.setCurrentIndex(1)  # Audio
        combo = dialog.wake_combo
        assert combo.currentData() is None  # off by default
        assert not dialog.follow_up_spin.isEnabled()
        combo.setFocus()
        while phrase not in combo.currentText():
            before = combo.currentIndex()
            QTest.keyClick(combo, Qt.Key.Key_Down)
            assert combo.currentIndex() != before, f"{phrase} is not offered"
        assert dialog.follow_up_spin.isEnabled()
        click(dialog.save_button)

    when_modal(in_dialog)
    click(window.settings_button)


@pytest.mark.slow
@pytest.mark.usefixtures("pulse")
def test_the_wake_word_chosen_in_settings_answers_in_the_window_and_mute_silences_it(
    make_session, sound_server: PrivateSoundServer, woken: Path, qtbot
) -> None:
    sound_server.use_here()
    session = make_session(
        audio=AudioOpeners(open_source=MicrophoneSource, open_sink=lambda _rate: WavSink(realtime=True)),
        use_tray=True,
    )
    controller, bridge, window = session.controller, session.bridge, session.window
    assert controller.hands_free.state is None  # off until chosen

    _choose_wake_word_in_settings(qtbot, window, "Hey Jarvis")
    assert controller.settings.audio.wake_word is WakeWord.HEY_JARVIS
    qtbot.waitUntil(lambda: controller.hands_free.state is HandsFreeState.WAITING, timeout=10_000)
    assert "Hey Jarvis" in window.state_badge.text
    if controller.tray is not None:
        assert "hey jarvis" in controller.tray.icon.toolTip().lower()

    with qtbot.waitSignal(bridge.turn_finished, timeout=180_000) as finished:
        sound_server.play(woken, "vspeaker")
    user = [bubble for bubble in window.conversation.bubbles if bubble.role == "user"][-1]
    assert_heard(CAPITAL_QUESTION, user.text)
    assert "jarvis" not in user.text.lower()  # the question starts after the wake word
    assert "paris" in finished.args[1].lower()

    # The follow-up window closes on silence, then Aris waits for the wake word again.
    qtbot.waitUntil(lambda: controller.hands_free.state is HandsFreeState.WAITING, timeout=60_000)
    turns = len([bubble for bubble in window.conversation.bubbles if bubble.role == "user"])
    controller.set_mic_muted(True)
    assert controller.hands_free.state is HandsFreeState.MUTED
    started: list[str] = []
    bridge.turn_started.connect(lambda turn_id, _spoken: started.append(turn_id))
    sound_server.play(woken, "vspeaker")
    QTest.qWait(8_000)  # the recording lasts ~4 s; woken, the question would have started by now
    assert not started, "the wake word was heard while muted"
    assert len([bubble for bubble in window.conversation.bubbles if bubble.role == "user"]) == turns
    controller.set_mic_muted(False)
    qtbot.waitUntil(lambda: controller.hands_free.state is HandsFreeState.WAITING, timeout=10_000)
