"""A faster end of turn: a question that reads as complete ends after ~250 ms of silence, one that stops on
"for", "and", "um" or a number waits up to 1.2 s, so "Set a timer for… ten minutes" is one question."""

from __future__ import annotations

import numpy as np
import pytest

from app.bench.listening import trimmed
from engine.audio import CAPTURE_RATE, FRAME_SAMPLES, WavSource
from engine.cancel import CancelToken
from engine.pipeline import VoicePipeline
from engine.stt import Transcript
from engine.turn_end import TurnEnd, judge_turn_end
from engine.vad import Endpointer, EndpointSettings
from tests.conftest import speak, with_silence
from tests.fakes import ScriptedResponder, ScriptedSynthesizer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What time is it in Tokyo?", TurnEnd.COMPLETE),
        ("Turn off the lights.", TurnEnd.COMPLETE),
        ("What is the capital of France?", TurnEnd.COMPLETE),
        ("Set a timer for", TurnEnd.UNFINISHED),
        ("Set a timer for...", TurnEnd.UNFINISHED),
        ("Add milk and", TurnEnd.UNFINISHED),
        ("What is the, um", TurnEnd.UNFINISHED),
        ("Set a timer for ten.", TurnEnd.UNFINISHED),
        ("Remind me at 7", TurnEnd.UNFINISHED),
        ("What is twelve plus", TurnEnd.UNFINISHED),
        ("I was wondering,", TurnEnd.UNFINISHED),
        ("Tell me about Rome", TurnEnd.UNSURE),
        ("", TurnEnd.UNSURE),
    ],
)
def test_how_a_transcript_ends(text: str, expected: TurnEnd) -> None:
    assert judge_turn_end(text) is expected


def test_a_doubtful_complete_looking_transcript_is_not_complete() -> None:
    """Whisper "completes" a question cut in a pause ("Add milk and" → "Add meal candy."), less surely."""
    assert judge_turn_end("Add meal candy.", avg_logprob=-0.83) is TurnEnd.UNSURE
    assert judge_turn_end("Add milk and", avg_logprob=-0.83) is TurnEnd.UNFINISHED
    assert judge_turn_end("What is the capital of France?", avg_logprob=-0.11) is TurnEnd.COMPLETE


class ByLength:
    """Transcribes by how much of the question it is given: the part before the pause, or all of it."""

    def __init__(self, short: str, full: str, full_seconds: float) -> None:
        self.short, self.full, self.full_seconds = short, full, full_seconds

    def transcribe(self, audio: np.ndarray) -> Transcript:
        seconds = len(audio) / CAPTURE_RATE
        text = self.full if seconds >= self.full_seconds else self.short
        return Transcript(text=text, audio_seconds=seconds, processing_seconds=0.0)


def _listen(transcriber: ByLength, audio: np.ndarray, *, adaptive: bool) -> tuple[float, int]:
    """(seconds of question heard, frames of silence read after its last word)."""
    pipeline = VoicePipeline(transcriber, ScriptedResponder("Fine."), ScriptedSynthesizer())
    endpointer = Endpointer(EndpointSettings(trailing_silence_ms=600, adaptive=adaptive))
    source = WavSource(audio, realtime=True)  # paced like a microphone: the transcript arrives mid-pause
    read = 0

    def counted():  # type: ignore[no-untyped-def]
        nonlocal read
        for frame in source.frames():
            read += 1
            yield frame

    class Counted:
        level = 0.0

        def frames(self, cancel: CancelToken | None = None):  # type: ignore[no-untyped-def]
            return counted()

        def stop_listening(self) -> None: ...

        def close(self) -> None: ...

    utterance = pipeline.listen(Counted(), endpointer, CancelToken())  # type: ignore[arg-type]
    assert utterance is not None
    return len(utterance.audio) / CAPTURE_RATE, read - utterance.end_sample // FRAME_SAMPLES


def test_a_complete_question_ends_sooner_than_the_fixed_wait(tmp_path) -> None:
    from engine.audio import read_wav

    question = read_wav(speak("What is the capital of France?", tmp_path / "q.wav"))
    audio = with_silence(question, 0.3, 1.5)
    transcriber = ByLength("What is the capital of France?", "What is the capital of France?", 0.0)
    _, fixed_wait = _listen(transcriber, audio, adaptive=False)
    _, adaptive_wait = _listen(transcriber, audio, adaptive=True)
    assert fixed_wait >= round(0.6 / (FRAME_SAMPLES / CAPTURE_RATE))
    assert adaptive_wait < fixed_wait - 3  # at least ~100 ms sooner, usually 350 ms


def test_a_pause_after_for_does_not_cut_the_question_off(tmp_path) -> None:
    from engine.audio import read_wav

    start = trimmed(read_wav(speak("Set a timer for", tmp_path / "start.wav")))
    rest = trimmed(read_wav(speak("ten minutes.", tmp_path / "rest.wav")))
    audio = with_silence(
        np.concatenate([start, np.zeros(int(0.8 * CAPTURE_RATE), np.float32), rest]), 0.3, 1.8
    )
    whole = len(audio) / CAPTURE_RATE - 2.1
    transcriber = ByLength("Set a timer for", "Set a timer for ten minutes.", len(start) / CAPTURE_RATE + 0.9)
    cut, _ = _listen(transcriber, audio, adaptive=False)
    assert cut < whole - 0.5  # the fixed 600 ms ended it in the pause
    heard, _ = _listen(transcriber, audio, adaptive=True)
    assert heard > whole - 0.3  # waited through the pause: one question
