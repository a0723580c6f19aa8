"""Finding speech in a recording by energy on 20 ms frames, the way a listener with a stopwatch would."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FRAME_MS = 20
THRESHOLD = 0.004
"""RMS above which a 20 ms frame is sound (about -48 dBFS); the null sinks are digitally silent otherwise."""


@dataclass(frozen=True)
class Span:
    """A stretch of sound on one channel, in ms from the start of the recording."""

    start_ms: int
    end_ms: int


def frame_energies(channel: np.ndarray, rate: int) -> np.ndarray:
    """RMS of each 20 ms frame."""
    size = rate * FRAME_MS // 1000
    count = len(channel) // size
    frames = channel[: count * size].reshape(count, size).astype(np.float64)
    levels: np.ndarray = np.sqrt(np.mean(frames**2, axis=1))
    return levels


def loud_frames(channel: np.ndarray, rate: int) -> np.ndarray:
    """Indices of frames that are sound."""
    return np.nonzero(frame_energies(channel, rate) > THRESHOLD)[0]


def spans(channel: np.ndarray, rate: int, gap_ms: int = 700) -> list[Span]:
    """Stretches of sound, joining those separated by less than ``gap_ms`` (pauses between words)."""
    loud = loud_frames(channel, rate)
    if len(loud) == 0:
        return []
    splits = np.nonzero(np.diff(loud) > gap_ms // FRAME_MS)[0]
    starts = np.concatenate([[loud[0]], loud[splits + 1]])
    ends = np.concatenate([loud[splits], [loud[-1]]])
    return [Span(int(s) * FRAME_MS, (int(e) + 1) * FRAME_MS) for s, e in zip(starts, ends, strict=True)]


def answer_latencies(user: np.ndarray, aris: np.ndarray, rate: int) -> list[int]:
    """For each question: end of its last word → Aris's first sound before the next question."""
    questions = spans(user, rate)
    replies = spans(aris, rate)
    latencies = []
    for index, question in enumerate(questions):
        limit = questions[index + 1].start_ms if index + 1 < len(questions) else 10**12
        first = next((r.start_ms for r in replies if question.end_ms <= r.start_ms < limit), None)
        if first is not None:
            latencies.append(first - question.end_ms)
    return latencies


def stop_latencies(user: np.ndarray, aris: np.ndarray, rate: int) -> list[int]:
    """For each interruption: the user's first sound → the end of the Aris speech it fell into.

    Aris's pauses under 600 ms (between sentences) count as still speaking; an interruption that came
    when Aris was already silent is not a stop and is skipped."""
    replies = spans(aris, rate, gap_ms=600)
    stops = []
    for interruption in spans(user, rate):
        onset = interruption.start_ms
        reply = next((r for r in replies if r.start_ms <= onset < r.end_ms), None)
        if reply is not None:
            stops.append(reply.end_ms - onset)
    return stops


def sound_ms(channel: np.ndarray, rate: int, gap_ms: int = 900) -> int:
    """Total duration of the channel's stretches of sound."""
    return sum(s.end_ms - s.start_ms for s in spans(channel, rate, gap_ms))


def cutoffs(user: np.ndarray, aris: np.ndarray, rate: int, question_gap_ms: int = 1300) -> int:
    """Questions Aris started answering before they ended: its first sound falls inside the question (the
    question's own pauses, up to ``question_gap_ms``, are part of it)."""
    replies = spans(aris, rate)
    return sum(
        1
        for question in spans(user, rate, gap_ms=question_gap_ms)
        if any(question.start_ms <= r.start_ms < question.end_ms for r in replies)
    )
