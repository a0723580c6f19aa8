"""The `bench` figures a user feels: first audio after the push-to-talk key is released, and after the end of
speech in hands-free mode (the endpointing wait included), each with what the speaker's pause is used for
(speculative transcription and the reply's head start) and without.

Questions are played in real time into the pipeline's listener, as a microphone would deliver them."""

from __future__ import annotations

import dataclasses
import re
import statistics
import time
from typing import Any

import numpy as np

from app.assistant import PUSH_TO_TALK_SILENCE_MS
from engine.audio import CAPTURE_RATE, WavSink, WavSource
from engine.cancel import CancelToken
from engine.pipeline import VoicePipeline
from engine.vad import Endpointer, EndpointSettings

RELEASE_AFTER_SPEECH_SECONDS = 0.3
"""The simulated user lets go of the key this long after their last word."""
LEAD_SECONDS = 0.3
"""Silence before each question, as when the key is pressed before speaking."""


def trimmed(audio: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """The speech with the synthesizer's own leading and trailing silence cut off."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio[loud[0] : loud[-1] + 1] if loud.size else audio


def word_error_rate(reference: str, heard: str) -> float:
    """Word-level edit distance over the reference's length (punctuation and case ignored)."""
    ref, hyp = words(reference), words(heard)
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1] / max(1, len(ref))


def words(text: str) -> list[str]:
    """The lower-case words of ``text`` as the word error rate compares them (punctuation dropped)."""
    return re.findall(r"[a-z0-9']+", text.lower())


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else float("nan")


def _turn(
    pipeline: VoicePipeline, audio: np.ndarray, endpointer: Endpointer, push_to_talk: bool
) -> dict[str, Any]:
    lead = np.zeros(int(LEAD_SECONDS * CAPTURE_RATE), np.float32)
    pad = RELEASE_AFTER_SPEECH_SECONDS if push_to_talk else 2.0
    # With push-to-talk the source ends (the key is released) RELEASE_AFTER_SPEECH_SECONDS after the speech.
    source = WavSource(np.concatenate([lead, audio]), realtime=True, pad_seconds=pad)
    utterance = pipeline.listen(source, endpointer, CancelToken())
    if utterance is None:
        raise RuntimeError("The benchmark question was not heard")
    speech_end = time.monotonic() if push_to_talk else utterance.speech_end_at
    result = pipeline.voice_turn(utterance.audio, WavSink(), speech_end=speech_end)
    return result.times.as_ms() | {"transcript": result.transcript}


_MODES = {
    "speculation": {"speculative_transcription": True, "reply_head_start": True},
    "without_head_start": {"speculative_transcription": True, "reply_head_start": False},
    "without_speculation": {"speculative_transcription": False, "reply_head_start": False},
}
"""What is done during the speaker's pause: transcription and the reply's first clause, transcription only,
or nothing."""


def listening_figures(
    pipeline: VoicePipeline, questions: list[np.ndarray], trailing_silence_ms: int
) -> dict[str, dict[str, object]]:
    """Push-to-talk and hands-free turns over ``questions``, with everything the pause is used for, without
    the reply's head start, and with nothing (rotating which goes first, so none always finds another's
    prompt cached)."""
    base = pipeline.settings
    endpointers = {
        True: Endpointer(EndpointSettings(trailing_silence_ms=PUSH_TO_TALK_SILENCE_MS)),
        False: Endpointer(EndpointSettings(trailing_silence_ms=trailing_silence_ms)),
    }
    modes = list(_MODES)
    rows: dict[tuple[bool, str], list[dict[str, Any]]] = {(p, m): [] for p in (True, False) for m in modes}
    try:
        for index, question in enumerate(questions):
            audio = trimmed(question)
            for push_to_talk in (True, False):
                shift = index % len(modes)
                for mode in modes[shift:] + modes[:shift]:
                    pipeline.settings = dataclasses.replace(base, **_MODES[mode])
                    pipeline.conversation.clear()
                    rows[(push_to_talk, mode)].append(
                        _turn(pipeline, audio, endpointers[push_to_talk], push_to_talk)
                    )
    finally:
        pipeline.settings = base

    def summary(push_to_talk: bool) -> dict[str, object]:
        def medians(turns: list[dict[str, Any]]) -> dict[str, float]:
            return {
                "transcript_ms_median": _median([t["transcript_ready"] for t in turns]),
                "first_token_ms_median": _median([t["first_token"] for t in turns]),
                "first_audio_ms_median": _median([t["first_audio"] for t in turns]),
            }

        on = rows[(push_to_talk, "speculation")]
        others = {mode: rows[(push_to_talk, mode)] for mode in modes[1:]}
        return {
            **medians(on),
            **{mode: medians(turns) for mode, turns in others.items()},
            "same_transcripts": all(
                [t["transcript"] for t in on] == [t["transcript"] for t in turns] for turns in others.values()
            ),
        }

    return {
        "push_to_talk": {**summary(True), "release_after_speech_ms": RELEASE_AFTER_SPEECH_SECONDS * 1000},
        "hands_free": {**summary(False), "endpoint_wait_ms": trailing_silence_ms},
    }
