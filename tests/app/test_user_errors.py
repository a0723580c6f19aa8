"""User mistakes and missing hardware give one clear sentence with the fix, never a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from app.cli import main
from engine.audio import devices as audio_devices
from engine.audio.devices import AudioDevice
from engine.errors import AudioDeviceError
from tests.conftest import run_cli

SPEAKER_ONLY = [AudioDevice(0, "HDMI speaker", inputs=0, outputs=2, default_rate=48000.0)]


def test_listen_without_a_microphone_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(audio_devices, "list_devices", lambda: SPEAKER_ONLY)
    assert main(["--data-dir", str(tmp_path), "listen"]) == 1
    err = capsys.readouterr().err
    assert "No microphone found" in err
    assert "python main.py doctor" in err
    assert "Traceback" not in err


def test_unknown_microphone_name_lists_the_available_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    devices = [*SPEAKER_ONLY, AudioDevice(1, "USB headset", inputs=1, outputs=2, default_rate=48000.0)]
    monkeypatch.setattr(audio_devices, "list_devices", lambda: devices)
    with pytest.raises(AudioDeviceError, match=r"'Blue Yeti' is not connected\. Available: USB headset"):
        audio_devices.find_device("Blue Yeti", want_input=True)
    assert audio_devices.find_device("USB headset", want_input=True) == 1


def test_missing_portaudio_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoPortAudio:
        def find_spec(self, name: str, *_args: object) -> None:
            if name == "sounddevice":
                raise OSError("PortAudio library not found")

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoPortAudio(), *sys.meta_path])
    with pytest.raises(AudioDeviceError, match="sudo apt-get install libportaudio2"):
        audio_devices.list_devices()


def test_doctor_reports_the_missing_microphone_with_its_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(audio_devices, "list_devices", lambda: SPEAKER_ONLY)
    status = main(["--data-dir", str(tmp_path), "doctor"])
    out = capsys.readouterr().out
    assert status == 1
    assert "microphone" in out and "No microphone found" in out
    assert "Connect a microphone" in out
    assert "HDMI speaker" in out  # the speaker check still passes and says what it found


def test_broken_settings_file_is_reported_and_left_untouched(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    settings = data / "settings.json"
    settings.write_text('{"audio": {"trailing_silence_ms": "soon"')
    result = run_cli("ask", "hello", data_dir=data)
    assert result.returncode == 1
    assert str(settings) in result.stderr and "not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr
    assert settings.read_text() == '{"audio": {"trailing_silence_ms": "soon"'


def test_out_of_range_setting_names_the_field(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"audio": {"trailing_silence_ms": -5}}))
    result = run_cli("ask", "hello", data_dir=data)
    assert result.returncode == 1
    assert "trailing_silence_ms" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.timeout(1000)  # beyond the command's own 900 s, so a slow machine reports the command's output
def test_voice_bench_reports_medians_for_both_pipelines(tmp_path: Path) -> None:
    result = run_cli(
        "bench",
        "voice",
        "--turns",
        "1",
        "--conversation-turns",
        "2",
        "--conversations",
        "2",
        "--cli-runs",
        "1",
        "--json",
        data_dir=tmp_path / "d",
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for pipeline in ("streamed", "sequential", "push_to_talk", "hands_free"):
        assert report[pipeline]["first_audio_ms_median"] > 0
    for mode in ("push_to_talk", "hands_free"):
        for without in ("without_speculation", "without_head_start"):
            assert report[mode][without]["first_audio_ms_median"] > 0
    conversation = report["conversation"]
    assert conversation["turns"] == 2 and conversation["turn1_first_audio_ms"] > 0
    assert conversation["runs"] == 2 and [len(run) for run in conversation["first_audio_ms_runs"]] == [2, 2]
    runs = conversation["first_audio_ms_runs"]
    assert conversation["turn1_first_audio_ms"] == round((runs[0][0] + runs[1][0]) / 2, 1)  # their median
    assert conversation["turn20_first_audio_ms"] is None  # only a 20-turn run has a 20th turn
    assert len(conversation["prompt_tokens_evaluated"]) == 2
    assert report["cli"]["first_token_ms"] > 0 and "paris" in report["cli"]["reply"].lower()
    assert report["stt_wer_mean"] < 0.2
    # Real-time factors are the bench's figures; on a busy machine they may pass 1, so only their sign is asserted.
    assert report["stt_rtf_median"] > 0 and report["tts_rtf_median"] > 0
    stop = report["stop"]
    assert stop["trials"] == 1 and stop["stopped"] == 1 and stop["stop_ms_median"] > 0
