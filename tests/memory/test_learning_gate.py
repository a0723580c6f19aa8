"""Learning skips turns the recogniser was unsure of, and facts that cannot be true of the user (a misheard
"Tell me I'm out of the planet Mars"); such turns are still answered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.assistant import Assistant
from app.config import Settings
from app.memory.common_sense import implausible
from app.memory.service import MemoryService
from app.paths import DataPaths
from engine.audio import read_wav
from tests.conftest import speak


@pytest.mark.parametrize(
    "text",
    [
        "Tell me I'm out of the planet Mars.",
        "The user is out of the planet Mars.",
        "I live on the moon now.",
        "I was born on Jupiter",
        "I'm 400 years old.",
        "I am dead.",
    ],
)
def test_impossible_facts_are_flagged(text: str) -> None:
    assert implausible(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "I live in Paris.",
        "I'm 34 years old.",
        "My favourite planet is Mars.",
        "I work on the Mars rover at NASA.",
        "I love Mars bars.",
        "What is the weather on Mars?",
        "I'm dead tired.",
    ],
)
def test_ordinary_facts_are_not(text: str) -> None:
    assert implausible(text) is None


def test_whisper_reports_its_doubt(factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    stt = factory.transcriber()
    clear = stt.transcribe(read_wav(speak("What is the capital of France?", tmp_path / "q.wav")))
    assert not clear.unsure(), clear
    noise = np.random.default_rng(7).normal(0, 0.05, 3 * 16_000).astype(np.float32)
    heard = stt.transcribe(noise)
    assert heard.unsure() or not heard.text, heard


@pytest.fixture
def assistant(factory, store_paths: DataPaths) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    """An assistant on a fresh data folder that reuses the session's loaded models."""
    built = Assistant(store_paths, Settings())
    built.factory = factory
    yield built
    built.close()


@pytest.mark.slow
def test_a_misheard_impossible_fact_is_answered_but_not_learned(assistant: Assistant, tmp_path: Path) -> None:
    memory = assistant.open_memory()
    assert isinstance(memory, MemoryService)
    mars = read_wav(speak("Tell me I'm out of the planet Mars.", tmp_path / "mars.wav"))
    result = assistant.answer_audio(mars)
    assistant.wait_for_learning(timeout=120)
    assert "mars" in result.transcript.lower() and result.reply
    assert memory.list() == []
    # The same path does learn an ordinary fact.
    lisbon = read_wav(speak("I live in Lisbon.", tmp_path / "lisbon.wav"))
    assistant.answer_audio(lisbon)
    assistant.wait_for_learning(timeout=120)
    assert any("lisbon" in m.text.lower() for m in memory.list())


def test_an_unsure_transcript_is_not_learned(assistant: Assistant) -> None:
    memory = assistant.open_memory()
    assert isinstance(memory, MemoryService)
    noise = np.random.default_rng(7).normal(0, 0.05, 3 * 16_000).astype(np.float32)
    result = assistant.answer_audio(noise)
    assistant.wait_for_learning(timeout=120)
    if result.transcript:  # Whisper heard words in the noise, and said it was unsure of them
        assert result.unsure_transcript
    assert memory.list() == []
