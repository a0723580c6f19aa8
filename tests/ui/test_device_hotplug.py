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
from tests.ui.modal import choose, click, click_tab


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
