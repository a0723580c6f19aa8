"""Whisper's shorter encoder window and the silence put before each clip, on real speech (espeak-ng)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.bench.listening import trimmed
from app.bench.stt import endpointed, first_word_lost
from engine.audio import CAPTURE_RATE, read_wav
from engine.stt import FULL_WINDOW_SECONDS, _window_frames
from tests.conftest import speak

pytestmark = pytest.mark.slow  # loads the real speech model


def test_a_clip_that_starts_on_its_first_sound_keeps_its_first_word(factory, speech_dir: Path) -> None:
    """The suite's spoken timer request lost its "Set" when the clip began on the "S" (issue 11)."""
    transcriber = factory.transcriber()
    assert transcriber.min_window_seconds < FULL_WINDOW_SECONDS  # the shorter window is what is tested
    audio = trimmed(read_wav(speak("Set a timer for ten minutes.", speech_dir / "window-timer.wav")))
    assert np.abs(audio[:160]).max() > 0.01  # really starts on sound
    heard = transcriber.transcribe(audio).text
    assert heard.lower().startswith("set a timer"), heard


def test_endpointed_clips_are_heard_the_same_as_whole_files(factory, speech_dir: Path) -> None:
    sentence = "My sister's name is Alice."
    audio = read_wav(speak(sentence, speech_dir / "window-alice.wav"))
    clip = endpointed(audio)
    assert 0 < len(clip) < len(audio) + CAPTURE_RATE
    heard = factory.transcriber().transcribe(clip).text
    assert "alice" in heard.lower() and not first_word_lost(sentence, heard), heard


def test_the_window_covers_the_clip_and_its_margin() -> None:
    assert _window_frames(3.0, 21.0) == 2100
    assert _window_frames(17.2, 20.0) == 2300  # a long question gets its 5 s margin
    assert _window_frames(26.0, 20.0) is None  # past 30 s: Whisper's own window


def test_first_word_lost() -> None:
    assert first_word_lost("Set a timer for ten minutes.", "a timer for 10 minutes.")
    assert first_word_lost("Set a timer for ten minutes.", "Center timer for 10 minutes.")
    assert not first_word_lost("Set a timer for ten minutes.", "Uh, set a timer for 10 minutes")
