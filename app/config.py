"""User settings: validated on load (the file is user-editable, so untrusted), immutable once loaded,
saved atomically. Pass a Settings object in; there is no global config."""

from __future__ import annotations

import json
import logging
import os
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.errors import SettingsError
from engine.wake import WakeWord

log = logging.getLogger(__name__)


class HotkeyMode(StrEnum):
    """How the push-to-talk hotkey behaves."""

    HOLD = "hold"
    """Speak while the keys are held; release ends the question."""
    TOGGLE = "toggle"
    """Press once to start, again to stop."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=False)


class AudioSettings(_Section):
    """Microphone, speaker and turn-taking."""

    input_device: str | None = Field(None, description="Microphone name; None uses the system default.")
    output_device: str | None = Field(None, description="Speaker name; None uses the system default.")
    trailing_silence_ms: int = Field(
        600,
        ge=200,
        le=3000,
        description="Silence (ms) that ends a hands-free question. Lower answers sooner.",
    )
    adaptive_end_of_turn: bool = Field(
        True,
        description="Hands-free, end a question that reads as complete after 250 ms of silence and wait up "
        "to 1.2 s after a trailing 'and', 'um' or number; off: always trailing_silence_ms.",
    )
    barge_in: bool = Field(
        True,
        description="Speech while Aris talks stops the answer. Turn off with laptop speakers if it "
        "interrupts itself.",
    )
    max_question_seconds: int = Field(30, ge=3, le=120, description="Longest question recorded, in seconds.")
    wake_word: WakeWord | None = Field(
        None,
        description="Listen all the time for this phrase (okay_nabu, hey_jarvis, hey_mycroft, alexa) and "
        "take the question after it; None (the default) listens only on the key or button.",
    )
    follow_up_seconds: float = Field(
        5.0,
        ge=0.0,
        le=30.0,
        description="After a hands-free answer, seconds a follow-up question is taken without the wake "
        "word; 0 turns follow-ups off.",
    )


class ModelSettings(_Section):
    """Which models answer, and how."""

    stt: str = Field("whisper-tiny.en", description="Speech-recognition model from the catalogue.")
    llm: str = Field("smollm2-135m-instruct", description="Language model from the catalogue.")
    llm_path: str | None = Field(None, description="A GGUF chat model on disk; overrides `llm` when set.")
    llm_chat_format: str | None = Field(
        None, description="llama.cpp chat format for llm_path; None: the GGUF's."
    )
    tts: str = Field("piper-joe-medium", description="Voice from the catalogue.")
    voice_speed: float = Field(
        1.0, ge=0.5, le=2.0, description="Speaking speed; 1.0 is the voice's own pace."
    )
    threads: int = Field(
        max(1, min(4, os.cpu_count() or 2)), ge=1, le=64, description="CPU threads for each model."
    )
    language: str = Field(
        "auto",
        pattern=r"^(auto|[a-z]{2})$",
        description="Spoken language: 'auto' (detect) or an ISO 639-1 code such as 'en' or 'ru'. Drives "
        "Whisper's language, the voice and the reply language.",
    )
    llm_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="An OpenAI-compatible server (Ollama, LM Studio, llama.cpp, vLLM) that answers instead "
        "of the local model, e.g. http://127.0.0.1:11434/v1.",
    )
    llm_model_name: str = Field("default", description="Model name sent to the external server.")
    llm_timeout_s: float = Field(
        30.0, ge=1.0, le=600.0, description="Seconds to wait for the external server to connect and answer."
    )


class HotkeySettings(_Section):
    """The global push-to-talk shortcut."""

    combo: str = Field("<ctrl>+<alt>+<space>", description="pynput hotkey syntax.")
    mode: HotkeyMode = Field(HotkeyMode.HOLD, description="Hold-to-talk or press-to-toggle.")
    enabled: bool = Field(True, description="Listen for the global shortcut (X11 only).")


class Theme(StrEnum):
    """The desktop app's look."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class Settings(_Section):
    """Everything the user can change; saved as JSON in the data folder."""

    audio: AudioSettings = Field(default_factory=AudioSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    hotkey: HotkeySettings = Field(default_factory=HotkeySettings)
    memory_enabled: bool = Field(True, description="Learn from conversations and recall memories.")
    start_minimized: bool = Field(False, description="Start in the tray without showing the window.")
    start_at_login: bool = Field(False, description="Start Aris when the user logs in.")
    close_hint_shown: bool = Field(False, description="Whether 'Aris keeps running in the tray' was shown.")
    theme: Theme = Field(
        Theme.SYSTEM, description="Light or dark look, or follow the desktop's colour scheme."
    )

    def with_changes(self, **changes: object) -> Settings:
        """A validated copy with some top-level fields replaced."""
        data = self.model_dump(mode="json")
        for key, value in changes.items():
            data[key] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        return Settings.model_validate(data)


def load_settings(path: Path) -> Settings:
    """Read settings; defaults when the file does not exist.

    Raises:
        SettingsError: the file exists but is not valid JSON or has invalid values. The file is left as it
            is so nothing the user wrote is lost.
    """
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SettingsError(f"Settings file {path} is not valid JSON ({error}). Fix or delete it.") from error
    try:
        return Settings.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise SettingsError(
            f"Settings file {path} has invalid values: {problems}. Fix or delete it."
        ) from error


def save_settings(settings: Settings, path: Path) -> None:
    """Write settings atomically (a crash mid-write keeps the old file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    try:
        tmp.write_text(json.dumps(settings.model_dump(mode="json"), indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as error:
        raise SettingsError(f"Could not save settings to {path}: {error.strerror}.") from error
