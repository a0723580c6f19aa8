"""Spoken requests (espeak-ng's voice, not Aris's) through the real listen path: microphone-like source,
endpointing, whisper, then the skills answer without the language model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.assistant import Assistant
from app.config import Settings
from app.paths import DataPaths
from engine.audio import WavSource, write_wav
from engine.tts import synthesize_all
from tests.conftest import run_cli, speak

pytestmark = pytest.mark.slow  # loads the real speech models (~30 s on a shared machine)

SPOKEN = [
    ("What time is it in Tokyo?", "time", "in Tokyo"),
    ("What is today's date?", "date", "Today is"),
    ("Set a timer for ten minutes.", "timer", "Timer set for 10 minutes."),
    (
        "Remind me to call the dentist tomorrow morning.",
        "reminder",
        "remind you to call the dentist tomorrow",
    ),
    # tiny.en mishears the items now and then (espeak: "and milk, and magic"; piper, whose voice varies from
    # run to run: "and no can eggs"): what must hold is that the list skill gets the request.
    ("Add milk and eggs to my shopping list.", "list", "to your shopping list."),
    ("What is seventeen times three?", "math", "That's 51."),
    ("How many centimeters are in an inch?", "units", "1 inch is 2.54 centimet"),
    ("What can you do?", "help", "I can set timers"),
    ("Play some jazz music.", "offline", "I can't play music"),
    ("What's the weather like today?", "offline", "I can't check the weather offline."),
]


@pytest.fixture
def assistant(tmp_path: Path, factory) -> Assistant:
    """An assistant on a fresh data folder, sharing the session's loaded models."""
    built = Assistant(DataPaths(tmp_path / "data").ensure(), Settings(memory_enabled=False))
    built.factory = factory
    yield built
    built.close()


def _piper(factory, sentence: str, path: Path) -> Path:
    """The same request in a piper voice (Aris's own, a different speaker from espeak-ng)."""
    audio, _seconds = synthesize_all(factory.synthesizer(), sentence)
    write_wav(path, audio.samples, audio.sample_rate)
    return path


@pytest.mark.parametrize("voice", ["espeak-ng", "piper"])
@pytest.mark.parametrize("case", SPOKEN, ids=[skill for _sentence, skill, _expected in SPOKEN])
def test_spoken_request_is_answered_by_its_skill(
    assistant: Assistant, factory, speech_dir: Path, voice: str, case: tuple[str, str, str]
) -> None:
    sentence, skill, expected = case
    path = speech_dir / f"skill-{skill}-{voice}.wav"
    wav = speak(sentence, path) if voice == "espeak-ng" else _piper(factory, sentence, path)
    result = assistant.listen_and_answer(WavSource.from_file(wav, pad_seconds=1.0))
    assert result is not None
    assert (result.skill, expected in result.reply) == (skill, True), (result.transcript, result.reply)
    assert "first_token" in result.times.as_ms()


@pytest.mark.slow
def test_listen_cli_reports_the_skill(speech_dir: Path, tmp_path: Path) -> None:
    wav = speak("Add milk and eggs to my shopping list.", speech_dir / "cli-list.wav")
    data = tmp_path / "data"
    result = run_cli("listen", str(wav), "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["skill"] == "list"
    shopping = json.loads(run_cli("lists", "shopping", "--json", data_dir=data).stdout)
    assert shopping["items"][0] == {"text": "milk", "done": False}
