"""What reaches the speaker first: a reply starts with its first sound, not with piper's leading silence
(25-400 ms of it, measured through the live bench's room), while later sentences keep their pauses."""

from __future__ import annotations

import numpy as np

from engine.audio import WavSink
from engine.pipeline import VoicePipeline
from tests.fakes import ScriptedResponder, ScriptedTranscriber

REPLY = "Well, the capital of France is Paris. It sits on the Seine."


def _first_sound_s(samples: np.ndarray, rate: int) -> float:
    """Where the first 5 ms window above -50 dBFS starts."""
    window = rate // 200
    frames = samples[: len(samples) // window * window].reshape(-1, window)
    loud = np.nonzero(np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) > 0.003)[0]
    return float(loud[0] * window / rate)


def test_a_spoken_reply_starts_with_its_first_sound(factory) -> None:
    voice = factory.synthesizer()
    own_start = _first_sound_s(
        next(iter(voice.synthesize("Well, the capital of France is Paris."))).samples, voice.sample_rate
    )
    assert own_start >= 0.02, "piper no longer starts with silence: this test proves nothing"
    pipeline = VoicePipeline(ScriptedTranscriber(""), ScriptedResponder(REPLY), voice)
    sink = WavSink()
    pipeline.text_turn("Where is Paris?", sink)
    assert _first_sound_s(sink.audio(), voice.sample_rate) <= 0.015
    assert len(sink.audio()) / voice.sample_rate > 2.0  # the whole reply was spoken, not cut
