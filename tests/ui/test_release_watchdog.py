"""A release lost between the threads must not leave Aris listening: after the talk button is released, a
watchdog ends the question if the microphone is still taking it (here the first stop is dropped on purpose,
the one fake: it stands in for the lost release)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.config import Settings
from app.soundserver import PrivateSoundServer
from engine.audio import MicrophoneSource, WavSink
from engine.events import TurnState
from ui.audio_io import AudioOpeners


@pytest.mark.usefixtures("pulse")
def test_a_lost_release_does_not_leave_aris_listening(
    make_session, sound_server: PrivateSoundServer, qtbot, monkeypatch
) -> None:
    sound_server.use_here()
    settings = Settings()
    settings = settings.with_changes(audio=settings.audio.model_copy(update={"max_question_seconds": 120}))
    session = make_session(
        settings=settings,
        audio=AudioOpeners(open_source=MicrophoneSource, open_sink=lambda _rate: WavSink(realtime=True)),
    )
    controller, bridge, window = session.controller, session.bridge, session.window
    stops: list[str] = []
    stop_listening = bridge.stop_listening

    def first_one_lost() -> None:
        stops.append("stop")
        if len(stops) > 1:
            stop_listening()

    monkeypatch.setattr(bridge, "stop_listening", first_one_lost)
    QTest.mousePress(window.talk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.state is TurnState.LISTENING, timeout=30_000)
    QTest.qWait(600)  # held: hold-to-talk
    QTest.mouseRelease(window.talk_button, Qt.MouseButton.LeftButton)
    # Without the watchdog the microphone would take the silence for the 120 s a question may last.
    qtbot.waitUntil(lambda: controller.state is not TurnState.LISTENING, timeout=60_000)
    assert len(stops) >= 2, "the question ended without the watchdog's second stop"
