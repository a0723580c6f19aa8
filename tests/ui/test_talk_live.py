"""The talk button with a real microphone (a private PulseAudio server): the user presses it while Aris is
still answering and starts speaking at once. Every word from the press on is heard, though the worker
thread is still winding down the reply it was interrupted in, and on a busy machine reaches the microphone
late (simulated by a slow endpointer: the one fake here, about timing only)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.soundserver import PrivateSoundServer
from engine.audio import MicrophoneSource, WavSink
from tests.conftest import speak
from ui.audio_io import AudioOpeners


@pytest.mark.usefixtures("pulse")
def test_pressing_talk_during_a_reply_hears_the_whole_question(
    make_session, sound_server: PrivateSoundServer, tmp_path: Path, qtbot, monkeypatch
) -> None:
    sound_server.use_here()
    question = speak("What is the capital of France?", tmp_path / "question.wav")
    session = make_session(
        audio=AudioOpeners(open_source=MicrophoneSource, open_sink=lambda _rate: WavSink(realtime=True))
    )
    window, bridge = session.window, session.bridge
    endpointer = bridge.assistant.endpointer

    def late_endpointer(**kwargs):
        time.sleep(0.5)  # a busy machine: the worker reaches the microphone half a second after the press
        return endpointer(**kwargs)

    monkeypatch.setattr(bridge.assistant, "endpointer", late_endpointer)

    with qtbot.waitSignal(bridge.token_generated, timeout=60_000):
        QTest.keyClicks(window.input, "Tell me the history of Rome in detail.")
        QTest.keyClick(window.input, Qt.Key.Key_Return)
    with qtbot.waitSignal(bridge.turn_finished, timeout=90_000) as finished:
        QTest.mousePress(window.talk_button, Qt.MouseButton.LeftButton)
        sound_server.play(question, "vspeaker")
        QTest.qWait(300)
        QTest.mouseRelease(window.talk_button, Qt.MouseButton.LeftButton)

    user = [bubble for bubble in window.conversation.bubbles if bubble.role == "user"][-1]
    assert "what is the capital of france" in user.text.lower(), user.text
    assert "paris" in finished.args[1].lower()
