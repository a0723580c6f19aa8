"""Hands-free questions end at the first pause; push-to-talk questions end when the key is released."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.assistant import Assistant
from app.config import Settings
from app.paths import DataPaths
from engine.audio import WavSource, read_wav
from tests.conftest import speak, with_silence


def test_a_pause_ends_a_hands_free_question_but_not_a_held_one(factory, tmp_path: Path) -> None:
    first = read_wav(speak("What is the capital of France?", tmp_path / "a.wav"))
    second = read_wav(speak("Please answer in one sentence.", tmp_path / "b.wav"))
    question = np.concatenate([with_silence(first, 0.3, 1.5), with_silence(second, 0.0, 0.5)])
    assistant = Assistant(DataPaths(tmp_path / "data").ensure(), Settings(memory_enabled=False))
    assistant.factory = factory

    hands_free = assistant.listen_and_answer(WavSource(question))
    held = assistant.listen_and_answer(WavSource(question), push_to_talk=True)

    assert hands_free is not None and "france" in hands_free.transcript.lower()
    assert "sentence" not in hands_free.transcript.lower()
    assert held is not None and "france" in held.transcript.lower()
    assert "sentence" in held.transcript.lower()
