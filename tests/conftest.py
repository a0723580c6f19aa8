"""Shared fixtures: real models loaded once per session, speech made with espeak-ng, data in tmp dirs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.soundserver import PrivateSoundServer, SoundServerError
from engine.audio import MicrophoneSource

ROOT = Path(__file__).resolve().parents[1]
CAPITAL_QUESTION = "What is the capital of France?"
"""What ``question_wav`` says."""


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real user's data folder."""
    data = tmp_path / "aris-data"
    monkeypatch.setenv("ARIS_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    return data


@pytest.fixture(scope="session")
def session_paths(tmp_path_factory: pytest.TempPathFactory):
    """A data folder shared by the session's loaded models (checksum cache only)."""
    from app.paths import DataPaths

    return DataPaths(tmp_path_factory.mktemp("session-data")).ensure()


@pytest.fixture(scope="session")
def factory(session_paths):
    """Real default models, loaded once."""
    from app.config import ModelSettings
    from app.engine_factory import EngineFactory

    built = EngineFactory(ModelSettings(threads=2), session_paths)
    built.warm_up()
    return built


def speak(text: str, path: Path, *, rate: int = 140) -> Path:
    """Speech for recognition tests, in espeak-ng's voice (not Aris's own)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.fail("espeak-ng is not installed; packaging/install.sh installs it")
    subprocess.run(
        [espeak, "-v", "en-us", "-s", str(rate), "-w", str(path), text], check=True, capture_output=True
    )
    return path


def russian_speech(text: str, path: Path) -> Path:
    """Russian speech from festival's msu_ru_nsh voice, resampled to 16 kHz mono (espeak-ng's Russian voice
    is unintelligible to Whisper)."""
    if shutil.which("text2wave") is None:
        pytest.fail("festival is not installed; packaging/install.sh installs festival and festvox-ru")
    raw = path.with_suffix(".raw.wav")
    source = path.with_suffix(".txt")
    source.write_text(text, encoding="utf-8")
    subprocess.run(
        ["text2wave", "-eval", "(voice_msu_ru_nsh_clunits)", str(source), "-o", str(raw)],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", str(path)], check=True, capture_output=True)
    return path


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of spoken test questions, made once."""
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def question_wav(speech_dir: Path) -> Path:
    """'What is the capital of France?' spoken by espeak-ng."""
    return speak(CAPITAL_QUESTION, speech_dir / "capital.wav")


def with_silence(audio: np.ndarray, before: float, after: float, rate: int = 16_000) -> np.ndarray:
    """Pad 16 kHz audio with silence."""
    return np.concatenate(
        [np.zeros(int(before * rate), np.float32), audio, np.zeros(int(after * rate), np.float32)]
    )


def run_cli(
    *args: str, data_dir: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """Run `python main.py …` in a child process, as a user would."""
    env = dict(os.environ)
    if data_dir is not None:
        env["ARIS_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


@pytest.fixture()
def sound_server(tmp_path: Path) -> Iterator[PrivateSoundServer]:
    """A private PulseAudio server (own socket, nothing shared with the desktop); skipped where none runs."""
    server = PrivateSoundServer(tmp_path / "pulse-runtime")
    try:
        server.start()
    except SoundServerError as error:
        server.stop()
        pytest.skip(f"no private sound server here: {error.message}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def pulse(sound_server: PrivateSoundServer) -> dict[str, str]:
    """One null sink, ``vspeaker``, that is both the default speaker and (through its monitor) the default
    microphone: what is played there is heard. Returns the environment that reaches the server."""
    sound_server.load("module-null-sink", "sink_name=vspeaker")
    sound_server.set_defaults("vspeaker", "vspeaker.monitor")
    return sound_server.env


@pytest.fixture()
def microphone(pulse: dict[str, str], sound_server: PrivateSoundServer) -> Iterator[MicrophoneSource]:
    """The room's microphone, opened in this process: what is played on its speaker is heard."""
    sound_server.use_here()
    opened = MicrophoneSource()
    try:
        assert opened.wait_ready(), "the virtual microphone delivers no sound"
        yield opened
    finally:
        opened.close()
