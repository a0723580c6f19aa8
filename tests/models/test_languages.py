"""Languages: the multilingual Whisper base joined from its PyPI parts, Russian speech (festival's Russian
voice: espeak-ng's is unintelligible to Whisper) transcribed in Russian, and the setting's effects."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ModelSettings, Settings, save_settings
from app.language import speech_model, voice_model, whisper_language
from app.paths import DataPaths
from engine.chat import SYSTEM_PROMPT, system_prompt_for
from models.errors import ModelMissingError
from tests.conftest import ROOT


def russian_speech(text: str, path: Path) -> Path:
    """Russian speech from festival's msu_ru_nsh voice, resampled to 16 kHz mono."""
    if shutil.which("text2wave") is None:
        pytest.fail("festival is not installed; scripts/install.sh installs festival and festvox-ru")
    raw = path.with_suffix(".raw.wav")
    source = path.with_suffix(".txt")
    source.write_text(text, encoding="utf-8")
    subprocess.run(
        ["text2wave", "-eval", "(voice_msu_ru_nsh_clunits)", str(source), "-o", str(raw)],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", str(path)], check=True, capture_output=True)
    return path


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
