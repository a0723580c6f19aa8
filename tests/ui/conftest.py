"""Desktop tests: a real session (bridge, window, controller) on the session's loaded models, with a WAV
file as the microphone and a silent real-time speaker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.assistant import Assistant
from app.config import Settings
from app.paths import DataPaths, resolve_data_paths
from engine.audio import WavSink
from engine.errors import AudioDeviceError
from ui.audio_io import AudioOpeners, wav_mic_openers


@dataclass
class Session:
    """What a test drives."""

    controller: object
    bridge: object
    window: object
    paths: DataPaths


def _no_mic():
    raise AudioDeviceError("No microphone found (test).")


@pytest.fixture(autouse=True)
def _model_tip_already_shown() -> None:
    """The first-run tip about a better chat model would cover the notices these tests read; its own test
    (test_model_options.py) turns it back on."""
    from ui.window_state import WindowState

    WindowState(resolve_data_paths().ensure()).mark_model_suggested()


@pytest.fixture
def paths() -> DataPaths:
    """The test's own data folder (from the autouse ARIS_DATA_DIR)."""
    return resolve_data_paths().ensure()


@pytest.fixture
def make_session(qtbot, factory, paths) -> Iterator:
    """Build a loaded session; ``mic`` is a WAV file used as the microphone (None: no microphone)."""
    from ui.controller import Controller
    from ui.engine_bridge import EngineBridge
    from ui.main_window import MainWindow

    made: list[Session] = []

    def make(
        mic: Path | None = None,
        settings: Settings | None = None,
        *,
        use_tray: bool = False,
        audio: AudioOpeners | None = None,
    ) -> Session:
        """``audio`` replaces the WAV-file microphone (a real device on a private sound server)."""
        settings = settings or Settings()

        def make_assistant(on_event):
            assistant = Assistant(paths, settings, on_event=on_event)
            assistant.factory = factory  # reuse the session's loaded models
            return assistant

        openers = audio or (
            wav_mic_openers(mic) if mic else AudioOpeners(_no_mic, lambda _rate: WavSink(realtime=True))
        )
        bridge = EngineBridge(make_assistant, openers)
        window = MainWindow()
        qtbot.addWidget(window)
        controller = Controller(paths, settings, bridge, window, use_tray=use_tray, use_hotkey=False)
        window.show()
        with qtbot.waitSignal(bridge.models_loaded, timeout=120_000):
            bridge.load()
        if mic or audio is not None:
            qtbot.waitUntil(lambda: bridge.has_microphone, timeout=10_000)
        session = Session(controller, bridge, window, paths)
        made.append(session)
        return session

    yield make
    for session in made:
        session.bridge.shutdown()
