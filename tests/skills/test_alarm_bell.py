"""An alarm is a reminder that rings with a chime: when one comes due, the speaker plays the chime and then
what is due, in the voice commands (`listen`, `hands-free`) as in the desktop app (both use ``ring_aloud``).
The speaker is a recording sink; the database and the skill that set the alarm are real."""

from __future__ import annotations

import numpy as np

from app.skills.alarms import AlarmBell, ring_aloud
from engine.audio import AudioChunk, WavSink
from engine.chime import chime
from tests.skills.conftest import say

RATE = 16_000


class RecordingSink(WavSink):
    """A sink that keeps each chunk it is given, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[AudioChunk] = []

    def play(self, chunk: AudioChunk) -> None:
        self.chunks.append(chunk)
        super().play(chunk)


def _voice(text: str) -> list[AudioChunk]:
    """Speech stand-in: one quiet chunk per word (the test is about what plays first)."""
    return [AudioChunk(np.full(1600, 0.01, dtype=np.float32), RATE) for _ in text.split()]


def _is_chime(chunk: AudioChunk) -> bool:
    return chunk.sample_rate == RATE and np.array_equal(chunk.samples, chime(RATE).samples)


def test_a_due_alarm_plays_the_chime_then_says_so(router, store, clock) -> None:
    assert say(router, "wake me up at 10:30 am")[0] == "reminder"
    sink = RecordingSink()
    bell = AlarmBell(store, sink, _voice, RATE)
    assert bell.ring_due() == [] and sink.chunks == []  # not due yet: silence
    clock.value += 31 * 60
    rang = bell.ring_due()
    assert len(rang) == 1 and rang[0].text == "This is your reminder."
    assert _is_chime(sink.chunks[0])
    assert len(sink.chunks) == 1 + len(_voice(rang[0].text))
    assert bell.ring_due() == []  # it rings once


def test_a_ring_waits_for_the_answer_being_spoken(router, store, clock) -> None:
    say(router, "set a timer for 5 minutes")
    held: list = []
    sink = RecordingSink()
    bell = AlarmBell(store, sink, _voice, RATE, submit=held.append)
    clock.value += 301
    bell._on_ring(bell.watcher.check()[0])
    assert sink.chunks == [] and len(held) == 1  # queued behind the turn, not played over it
    held[0]()
    assert _is_chime(sink.chunks[0]) and bell.rang[0].text == "Your timer is done."


def test_ring_aloud_is_the_chime_then_the_words() -> None:
    sink = RecordingSink()
    ring_aloud("Reminder: call Sam.", sink, _voice("Reminder: call Sam."), RATE)
    assert _is_chime(sink.chunks[0]) and len(sink.chunks) == 4
