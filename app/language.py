"""The language setting (auto or fixed) turned into concrete choices: Whisper's language, the speech model
and voice that can handle it, and the reply language in the system prompt."""

from __future__ import annotations

from pathlib import Path

from app.config import ModelSettings
from models.catalogue import ModelKind, all_specs, get_spec
from models.errors import ModelMissingError
from models.store import is_installed

MULTILINGUAL_STT = "whisper-base"
"""The multilingual speech model installable without a download (the whisper-base extra)."""


def whisper_language(models: ModelSettings) -> str | None:
    """What Whisper is told: the fixed language, None to detect (multilingual models only), else English."""
    if models.language != "auto":
        return models.language
    return None if get_spec(models.stt).speaks("multi") else "en"


def speech_model(models: ModelSettings, models_dir: Path) -> str:
    """The configured speech model if it understands the language, else an installed one that does.

    Raises:
        ModelMissingError: no installed speech model understands the language (with the command to fix it).
    """
    return _pick(models.stt, ModelKind.STT, models.language, models_dir, MULTILINGUAL_STT)


def voice_model(models: ModelSettings, models_dir: Path) -> str:
    """The configured voice if it speaks the language, else an installed voice that does.

    Raises:
        ModelMissingError: no installed voice speaks the language (with the command to fix it).
    """
    suggestion = next(
        (
            s.name
            for s in all_specs()
            if s.kind is ModelKind.TTS and models.language in s.languages and s.verifiable
        ),
        None,
    )
    return _pick(models.tts, ModelKind.TTS, models.language, models_dir, suggestion)


def _pick(chosen: str, kind: ModelKind, language: str, models_dir: Path, suggestion: str | None) -> str:
    if language == "auto" or get_spec(chosen).speaks(language):
        return chosen
    candidates = [
        s for s in all_specs() if s.kind is kind and s.speaks(language) and is_installed(s, models_dir)
    ]
    exact = [s for s in candidates if language in s.languages]
    if exact or candidates:
        return (exact or candidates)[0].name
    what = "speech-recognition model" if kind is ModelKind.STT else "voice"
    hint = f" Install one with: python main.py models download {suggestion}" if suggestion else ""
    raise ModelMissingError(f"No installed {what} handles the language '{language}'.{hint}")
