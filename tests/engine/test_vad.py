"""Endpointing with the bundled Silero VAD on real speech."""

from __future__ import annotations

import numpy as np
import pytest

from engine.audio import CAPTURE_RATE, WavSource, read_wav
from engine.vad import Endpointer, EndpointKind, EndpointSettings, Utterance, first_utterance
from tests.conftest import with_silence


@pytest.fixture(scope="module")
def speech(question_wav) -> np.ndarray:
    return read_wav(question_wav)


def run(audio: np.ndarray, **settings: object) -> list[object]:
    endpointer = Endpointer(EndpointSettings(**settings))  # type: ignore[arg-type]
    return list(first_utterance(WavSource(audio).frames(), endpointer))


def test_silence_then_speech_then_silence_gives_one_utterance(speech: np.ndarray) -> None:
    audio = with_silence(speech, before=1.5, after=1.5)
    items = run(audio, trailing_silence_ms=600)
    assert items[0] is EndpointKind.SPEECH_STARTED
    utterance = items[-1]
    assert isinstance(utterance, Utterance)
    assert not utterance.cut_off
    # The utterance spans the speech, not the leading second and a half of silence.
    spoken = len(speech) / CAPTURE_RATE
    assert spoken - 0.4 <= len(utterance.audio) / CAPTURE_RATE <= spoken + 0.9
    # espeak-ng pads its files with silence: compare with where the sound really stops.
    loud = np.flatnonzero(np.abs(speech) > 0.02)
    speech_end_sample = int(1.5 * CAPTURE_RATE) + int(loud[-1])
    assert abs(utterance.end_sample - speech_end_sample) < 0.15 * CAPTURE_RATE


def test_the_turn_ends_after_the_configured_trailing_silence(speech: np.ndarray) -> None:
    audio = with_silence(speech, before=0.5, after=3.0)
    for trailing_ms in (300, 1200):
        endpointer = Endpointer(EndpointSettings(trailing_silence_ms=trailing_ms))
        frames_seen = 0
        for frame in WavSource(audio).frames():
            frames_seen += 1
            event = endpointer.feed(frame)
            if event and event[0] is EndpointKind.SPEECH_ENDED:
                break
        detected_at = frames_seen * 512 / CAPTURE_RATE
        assert event is not None and event[1] is not None
        waited = detected_at - event[1].end_sample / CAPTURE_RATE
        assert trailing_ms / 1000 - 0.05 <= waited <= trailing_ms / 1000 + 0.1


def test_leading_silence_and_noise_produce_no_turn() -> None:
    rng = np.random.default_rng(3)
    noise = (rng.standard_normal(CAPTURE_RATE * 3) * 0.02).astype(np.float32)
    hum = (0.1 * np.sin(2 * np.pi * 50 * np.arange(CAPTURE_RATE * 2) / CAPTURE_RATE)).astype(np.float32)
    click = np.zeros(CAPTURE_RATE, np.float32)
    click[8000:8100] = 0.9
    for audio in (np.zeros(CAPTURE_RATE * 3, np.float32), noise, hum, click):
        assert run(audio) == []


def test_speech_running_into_the_end_of_input_still_counts(speech: np.ndarray) -> None:
    items = run(with_silence(speech, before=0.3, after=0.0), trailing_silence_ms=2000)
    assert isinstance(items[-1], Utterance)


def test_a_question_longer_than_the_limit_is_cut_off(speech: np.ndarray) -> None:
    items = run(with_silence(speech, 0.2, 1.0), max_seconds=1.0)
    assert isinstance(items[-1], Utterance) and items[-1].cut_off
