"""Settings shows the sound server's devices by the names a person knows, and notices a headset plugged in
while it is open: on a private PulseAudio server a new sink appears after the dialog opened, is chosen and
saved with real clicks, and a speaker opened from the saved setting plays into that very sink."""

from __future__ import annotations

import json
import subprocess

import pytest

from app.config import Settings
from app.soundserver import PrivateSoundServer
from engine.audio import SpeakerSink
from tests.ui.modal import choose, choose_by_keys, click, click_tab, when_modal


def _labels(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def _sink_index(server: PrivateSoundServer, name: str) -> int:
    sinks = json.loads(server.pactl("--format=json", "list", "sinks").stdout)
    return next(s["index"] for s in sinks if s["name"] == name)


def test_a_headset_plugged_in_while_settings_is_open_appears_and_can_be_chosen(
    qtbot, paths, sound_server: PrivateSoundServer
) -> None:
    from ui.settings_dialog import DEVICE_POLL_MS, SettingsDialog

    sound_server.load("module-null-sink", "sink_name=builtin", "sink_properties=device.description=Speakers")
    sound_server.use_here()  # this process's PortAudio and pactl talk to the private server
    dialog = SettingsDialog(Settings(), paths)
    qtbot.addWidget(dialog)
    dialog.show()
    click_tab(dialog.tabs, "Audio")
    speakers, microphones = dialog.output_combo, dialog.input_combo
    assert _labels(speakers) == ["System default", "Speakers"]  # not "pulse" / "default"
    assert "Monitor of Speakers" in _labels(microphones)

    # The headset is plugged in after the dialog opened.
    sound_server.load(
        "module-null-sink", "sink_name=headset", "sink_properties=device.description=USB-Headset"
    )
    qtbot.waitUntil(lambda: "USB-Headset" in _labels(speakers), timeout=DEVICE_POLL_MS * 3)
    assert "Monitor of USB-Headset" in _labels(microphones)
    choose(speakers, "USB-Headset")
    click(dialog.save_button)
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = dialog.result_settings().audio.output_device
    assert saved == "pulse:headset"  # the server's stable name, not the description or an index

    # The saved setting reaches the headset, not the default sink.
    speaker = SpeakerSink(22050, saved)
    try:
        inputs = json.loads(sound_server.pactl("--format=json", "list", "sink-inputs").stdout)
        assert [i["sink"] for i in inputs] == [_sink_index(sound_server, "headset")]
    finally:
        speaker.close()


def test_an_unplugged_choice_stays_visible_and_opening_it_says_so(
    qtbot, paths, sound_server: PrivateSoundServer
) -> None:
    from engine.errors import AudioDeviceError
    from ui.settings_dialog import SettingsDialog

    sound_server.use_here()
    settings = Settings()
    settings = settings.with_changes(
        audio=settings.audio.model_copy(update={"output_device": "pulse:gone_headset"})
    )
    dialog = SettingsDialog(settings, paths)
    qtbot.addWidget(dialog)
    assert dialog.output_combo.currentText() == "gone_headset (not connected)"
    with pytest.raises(AudioDeviceError, match="The speaker 'gone_headset' is not connected"):
        SpeakerSink(22050, "pulse:gone_headset")


def test_test_microphone_shows_the_chosen_devices_level(
    qtbot, paths, sound_server: PrivateSoundServer, question_wav
) -> None:
    from ui.settings_dialog import SettingsDialog

    sound_server.load(
        "module-null-sink", "sink_name=headset", "sink_properties=device.description=USB-Headset"
    )
    sound_server.use_here()
    dialog = SettingsDialog(Settings(), paths)
    qtbot.addWidget(dialog)
    dialog.show()
    click_tab(dialog.tabs, "Audio")
    choose(dialog.input_combo, "Monitor of USB-Headset")  # hears what the headset plays
    test = dialog.mic_test
    click(test.button)
    qtbot.waitUntil(lambda: test.button.text() == "Stop test", timeout=15_000)
    assert test.meter.level < 0.05  # silence so far
    player = subprocess.Popen(["paplay", "--device=headset", str(question_wav)], env=sound_server.env)
    try:
        qtbot.waitUntil(lambda: test.meter.level > 0.3, timeout=10_000)
    finally:
        player.wait(30)
    click(test.button)
    assert test.button.text() == "Test microphone"
    click(dialog.save_button)
    assert dialog.result_settings().audio.input_device == "pulse:headset.monitor"


def test_a_speaker_chosen_in_settings_is_used_at_once_without_a_restart(
    qtbot, paths, factory, sound_server: PrivateSoundServer
) -> None:
    from app.assistant import Assistant
    from ui.audio_io import device_openers
    from ui.controller import Controller
    from ui.engine_bridge import EngineBridge
    from ui.main_window import MainWindow

    sound_server.load("module-null-sink", "sink_name=builtin", "sink_properties=device.description=Speakers")
    sound_server.set_defaults("builtin", "builtin.monitor")
    sound_server.use_here()

    def make_assistant(on_event):
        assistant = Assistant(paths, Settings(), on_event=on_event)
        assistant.factory = factory  # the session's loaded models
        return assistant

    bridge = EngineBridge(
        make_assistant, device_openers(None, None)
    )  # the real devices, as the app opens them
    window = MainWindow()
    qtbot.addWidget(window)
    Controller(paths, Settings(), bridge, window, use_tray=False, use_hotkey=False)
    window.show()
    switched: list[bool] = []
    bridge.audio_switched.connect(lambda: switched.append(True))
    try:
        with qtbot.waitSignal(bridge.models_loaded, timeout=120_000):
            bridge.load()
        qtbot.waitUntil(lambda: bridge.has_microphone, timeout=15_000)
        builtin = _sink_index(sound_server, "builtin")
        qtbot.waitUntil(lambda: _playing_on(sound_server) == [builtin], timeout=5000)

        sound_server.load(
            "module-null-sink", "sink_name=headset", "sink_properties=device.description=USB-Headset"
        )

        def in_dialog(dialog) -> None:
            from ui.settings_dialog import DEVICE_POLL_MS

            click_tab(dialog.tabs, "Audio")
            qtbot.waitUntil(lambda: "USB-Headset" in _labels(dialog.output_combo), timeout=DEVICE_POLL_MS * 3)
            choose_by_keys(dialog.output_combo, "USB-Headset")
            click(dialog.save_button)

        when_modal(in_dialog)
        click(window.settings_button)
        qtbot.waitUntil(lambda: switched == [True], timeout=15_000)
        assert _playing_on(sound_server) == [_sink_index(sound_server, "headset")]
        assert bridge.has_microphone  # the microphone was reopened too
    finally:
        bridge.shutdown()


def _playing_on(server: PrivateSoundServer) -> list[int]:
    """The sinks this process's speaker streams play into."""
    inputs = json.loads(server.pactl("--format=json", "list", "sink-inputs").stdout)
    return [i["sink"] for i in inputs]
