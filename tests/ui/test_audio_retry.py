"""No sound server: the window says so in words with a Retry button, and a sound server started later is
picked up (by the button, and by itself) without a restart."""

from __future__ import annotations

from pathlib import Path

from app.assistant import Assistant
from app.config import Settings
from engine.audio import WavSink
from engine.errors import NoAudioDeviceError
from tests.ui.modal import click
from ui.audio_io import AudioOpeners, wav_mic_openers


class SoundServer:
    """Audio openers that fail like find_device does with no sound server, until ``up`` is set."""

    def __init__(self, mic: Path) -> None:
        self.up = False
        self._real = wav_mic_openers(mic)

    def openers(self) -> AudioOpeners:
        def open_source():
            if not self.up:
                raise NoAudioDeviceError(
                    "No microphone found. Connect one (or start PulseAudio/PipeWire) ..."
                )
            return self._real.open_source()

        def open_sink(_rate: int):
            if not self.up:
                raise NoAudioDeviceError("No speaker found. Connect one (or start PulseAudio/PipeWire) ...")
            return WavSink(realtime=True)

        return AudioOpeners(open_source, open_sink)


def _session(qtbot, factory, paths, server: SoundServer):
    from ui.controller import Controller
    from ui.engine_bridge import EngineBridge
    from ui.main_window import MainWindow

    def make_assistant(on_event):
        assistant = Assistant(paths, Settings(), on_event=on_event)
        assistant.factory = factory
        return assistant

    bridge = EngineBridge(make_assistant, server.openers())
    window = MainWindow()
    qtbot.addWidget(window)
    controller = Controller(paths, Settings(), bridge, window, use_tray=False, use_hotkey=False)
    window.show()
    with qtbot.waitSignal(bridge.models_loaded, timeout=120_000):
        bridge.load()
    qtbot.waitUntil(lambda: bridge.missing_audio == ["microphone", "speaker"], timeout=10_000)
    return controller


def test_retry_button_picks_up_a_sound_server_started_later(qtbot, factory, paths, question_wav) -> None:
    server = SoundServer(question_wav)
    controller = _session(qtbot, factory, paths, server)
    notice = controller.window.notice
    qtbot.waitUntil(notice.action_button.isVisible, timeout=5000)
    assert "PulseAudio or PipeWire" in notice.text and "main.py" not in notice.text
    assert notice.action_button.text() == "Retry"

    click(notice.action_button)  # still no sound server: nothing changes, no error
    qtbot.waitUntil(lambda: not controller.bridge._retrying, timeout=5000)
    assert controller.bridge.missing_audio == ["microphone", "speaker"]

    server.up = True
    with qtbot.waitSignal(controller.bridge.audio_recovered, timeout=10_000):
        click(notice.action_button)
    qtbot.waitUntil(lambda: controller.bridge.missing_audio == [], timeout=5000)
    assert controller.bridge.has_microphone
    assert "found" in notice.text
    controller.bridge.shutdown()


def test_a_sound_server_started_later_is_noticed_by_itself(qtbot, factory, paths, question_wav) -> None:
    server = SoundServer(question_wav)
    controller = _session(qtbot, factory, paths, server)
    controller._audio_retry_timer.setInterval(100)  # the real interval is a few seconds
    assert controller._audio_retry_timer.isActive()
    server.up = True
    qtbot.waitUntil(lambda: controller.bridge.missing_audio == [], timeout=10_000)
    qtbot.waitUntil(lambda: not controller._audio_retry_timer.isActive(), timeout=5000)
    controller.bridge.shutdown()
