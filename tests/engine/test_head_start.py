"""The reply's head start (engine/head_start.py) with scripted stages: the first clause is generated and
synthesized during the hands-free endpoint wait, used once the question really ends, dropped when the
speaker goes on, and never run ahead for a skill or a memory command, which act.

The microphone here is a recording that stops at one frame until a condition holds (or 10 s pass), so
"before the question ended" is decided by the order of events, not by a clock. The real models are in
tests/engine/test_speculation.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from app.bench.listening import trimmed
from engine.audio import CAPTURE_RATE, FRAME_SAMPLES, AudioChunk, WavSink, read_wav
from engine.cancel import CancelToken
from engine.events import EventType, TurnEvent
from engine.pipeline import VoicePipeline
from engine.skills import SkillReply
from engine.vad import Endpointer, EndpointSettings
from tests.conftest import speak, with_silence
from tests.fakes import ScriptedMemory, ScriptedResponder, ScriptedSynthesizer, ScriptedTranscriber

QUESTION = "What is the capital of France?"
REPLY = "Paris is the capital of France, and it is lovely. It is big."


class HeldSource:
    """A recording played frame by frame that holds at ``hold_at`` seconds until ``until()`` is true."""

    def __init__(self, samples: np.ndarray, hold_at: float, until: Callable[[], bool]) -> None:
        self.samples = samples
        self.hold_frame = int(hold_at * CAPTURE_RATE) // FRAME_SAMPLES
        self.until = until
        self.released_by_condition: bool | None = None
        self.level = 0.0

    def frames(self, cancel: CancelToken | None = None) -> Iterator[np.ndarray]:
        for index, offset in enumerate(range(0, len(self.samples) - FRAME_SAMPLES + 1, FRAME_SAMPLES)):
            if index == self.hold_frame:
                waited = 0.0
                while not self.until() and waited < 10.0:
                    time.sleep(0.01)
                    waited += 0.01
                self.released_by_condition = self.until()
            yield self.samples[offset : offset + FRAME_SAMPLES]

    def stop_listening(self) -> None:
        """A recording ends by itself."""

    def close(self) -> None:
        """Nothing to release."""


class NotingSynthesizer(ScriptedSynthesizer):
    """Records each sentence as it is asked for, with the thread that asked."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def synthesize(self, text: str, cancel: CancelToken | None = None) -> Iterator[AudioChunk]:
        self.threads.append(threading.current_thread().name)
        yield from super().synthesize(text, cancel)


def last_speech_seconds(audio: np.ndarray) -> float:
    """Where the endpointer hears the last speech frame end in ``audio`` (its VAD is deterministic)."""
    endpointer = Endpointer(EndpointSettings(trailing_silence_ms=600))
    audio = with_silence(audio, 0.0, 1.0)
    for offset in range(0, len(audio) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        result = endpointer.feed(audio[offset : offset + FRAME_SAMPLES])
        if result is not None and result[1] is not None:
            return result[1].end_sample / CAPTURE_RATE
    raise AssertionError("no end of speech in the clip")


@pytest.fixture(scope="module")
def question(question_wav: Path) -> np.ndarray:
    return with_silence(trimmed(read_wav(question_wav)), 0.3, 1.2)


def hands_free() -> Endpointer:
    return Endpointer(EndpointSettings(trailing_silence_ms=600))


def build(
    transcripts: tuple[str, ...], replies: tuple[str, ...], **kwargs: object
) -> tuple[VoicePipeline, ScriptedResponder, NotingSynthesizer, list[TurnEvent]]:
    responder = ScriptedResponder(*replies)
    synthesizer = NotingSynthesizer()
    events: list[TurnEvent] = []
    pipeline = VoicePipeline(
        ScriptedTranscriber(*transcripts), responder, synthesizer, on_event=events.append, **kwargs
    )
    return pipeline, responder, synthesizer, events


def test_the_first_clause_is_ready_before_the_question_ends_and_plays_once_it_does(
    question: np.ndarray,
) -> None:
    pipeline, responder, synthesizer, events = build((QUESTION,), (REPLY,))
    # Held 300 ms into the pause: after the speculation starts (128 ms), before the endpoint (600 ms).
    source = HeldSource(question, last_speech_seconds(question) + 0.3, lambda: bool(synthesizer.calls))
    utterance = pipeline.listen(source, hands_free(), CancelToken())
    assert source.released_by_condition, "the first clause was not synthesized during the pause"
    assert utterance is not None
    assert [event.type for event in events] == [EventType.STATE_CHANGED]  # nothing showed or played yet
    result = pipeline.voice_turn(utterance.audio, WavSink(), speech_end=utterance.speech_end_at)
    assert result.reply == REPLY
    # The clause prepared in the pause is the one that played; it was not synthesized again.
    assert synthesizer.calls == ["Paris is the capital of France,", "and it is lovely.", "It is big."]
    assert synthesizer.threads[0] == "aris-head-start"
    assert len(responder.calls) == 1 and responder.calls[0][-1].content == QUESTION
    assert pipeline.head_starts_used == 1
    sentences = [event.text for event in events if event.type is EventType.SENTENCE_READY]  # type: ignore[attr-defined]
    assert sentences == synthesizer.calls
    assert [message.content for message in pipeline.conversation.history] == [QUESTION, REPLY]


def test_speaking_on_after_the_pause_drops_the_prepared_reply(speech_dir: Path) -> None:
    first = trimmed(read_wav(speak("What is the capital", speech_dir / "part1.wav")))
    second = trimmed(read_wav(speak("of France?", speech_dir / "part2.wav")))
    audio = np.concatenate([with_silence(first, 0.3, 0.45), with_silence(second, 0.0, 1.2)])
    partial, whole = "What is the capital?", QUESTION
    pipeline, responder, synthesizer, events = build(
        (partial, whole), ("The capital of what, please?", REPLY)
    )
    # Held in the first pause until the reply to the partial question was prepared.
    source = HeldSource(
        audio, last_speech_seconds(with_silence(first, 0.3, 0.0)) + 0.3, lambda: bool(synthesizer.calls)
    )
    utterance = pipeline.listen(source, hands_free(), CancelToken())
    assert source.released_by_condition
    assert utterance is not None
    result = pipeline.voice_turn(utterance.audio, WavSink(), speech_end=utterance.speech_end_at)
    assert (result.transcript, result.reply) == (whole, REPLY)
    assert [call[-1].content for call in responder.calls] == [partial, whole]
    # The partial question's clause was prepared and never shown, played or kept.
    sentences = [event.text for event in events if event.type is EventType.SENTENCE_READY]  # type: ignore[attr-defined]
    assert sentences == ["Paris is the capital of France,", "and it is lovely.", "It is big."]
    transcripts = [event.text for event in events if event.type is EventType.TRANSCRIPT_READY]  # type: ignore[attr-defined]
    assert transcripts == [whole]
    assert [message.content for message in pipeline.conversation.history] == [whole, REPLY]
    assert_no_head_start_left()


class CountingSkills:
    """A timer skill that counts the timers it sets."""

    def __init__(self) -> None:
        self.timers_set = 0

    def claims(self, text: str) -> bool:
        return "timer" in text.lower()

    def handle(self, text: str) -> SkillReply | None:
        if "timer" not in text.lower():
            return None
        self.timers_set += 1
        return SkillReply("timer", "Timer set for ten minutes.")


def test_a_skill_request_is_not_run_ahead(question: np.ndarray) -> None:
    skills = CountingSkills()
    pipeline, responder, synthesizer, _ = build(("Set a timer for ten minutes.",), (REPLY,), skills=skills)
    utterance = pipeline.listen(_played(question), hands_free(), CancelToken())
    assert utterance is not None
    result = pipeline.voice_turn(utterance.audio, WavSink())
    assert (result.skill, result.reply) == ("timer", "Timer set for ten minutes.")
    assert skills.timers_set == 1
    assert responder.calls == [] and synthesizer.calls == ["Timer set for ten minutes."]
    assert pipeline.head_starts_used == 0


def test_a_memory_command_is_not_run_ahead(question: np.ndarray) -> None:
    command = "Remember that my sister is Alice."
    memory = ScriptedMemory(commands={command: "OK, I'll remember that."})
    pipeline, responder, _, _ = build((command,), (REPLY,), memory=memory)
    utterance = pipeline.listen(_played(question), hands_free(), CancelToken())
    assert utterance is not None
    result = pipeline.voice_turn(utterance.audio, WavSink())
    assert result.reply == "OK, I'll remember that."
    assert responder.calls == []
    assert pipeline.head_starts_used == 0


def test_stopping_the_reply_stops_the_generation_it_took_over(question: np.ndarray) -> None:
    long_reply = "Paris is the capital of France, " + " ".join(["and it is lovely."] * 40)
    cancel = CancelToken()

    def stop_at_first_audio(event: TurnEvent) -> None:
        if event.type is EventType.AUDIO_STARTED:
            cancel.cancel("stopped")

    pipeline = VoicePipeline(
        ScriptedTranscriber(QUESTION),
        ScriptedResponder(long_reply),
        ScriptedSynthesizer(),
        on_event=stop_at_first_audio,
    )
    utterance = pipeline.listen(_played(question), hands_free(), CancelToken())
    assert utterance is not None
    result = pipeline.voice_turn(utterance.audio, WavSink(), cancel)
    assert result.cancelled and pipeline.head_starts_used == 1
    assert len(result.reply.split()) < 20
    assert_no_head_start_left()
    # The model is free for the next turn.
    pipeline.responder = ScriptedResponder("Fine.")
    assert pipeline.text_turn("And Spain?", None).reply == "Fine."


def test_without_the_setting_nothing_is_prepared(question: np.ndarray) -> None:
    from engine.pipeline import PipelineSettings

    pipeline, responder, synthesizer, _ = build(
        (QUESTION,), (REPLY,), settings=PipelineSettings(reply_head_start=False)
    )
    utterance = pipeline.listen(_played(question), hands_free(), CancelToken())
    assert utterance is not None
    assert synthesizer.calls == [] and responder.calls == []
    pipeline.voice_turn(utterance.audio, WavSink())
    assert pipeline.head_starts_used == 0 and pipeline.early.hits == 1


def _played(audio: np.ndarray) -> HeldSource:
    return HeldSource(audio, hold_at=0.0, until=lambda: True)


def test_a_turn_stopped_before_its_reply_leaves_nothing_running(question: np.ndarray) -> None:
    pipeline, _, synthesizer, _ = build((QUESTION,), (REPLY,))
    source = HeldSource(question, last_speech_seconds(question) + 0.3, lambda: bool(synthesizer.calls))
    utterance = pipeline.listen(source, hands_free(), CancelToken())
    assert utterance is not None and source.released_by_condition
    stopped = CancelToken()
    stopped.cancel("stopped")  # the user pressed Stop while the question was being transcribed
    result = pipeline.voice_turn(utterance.audio, WavSink(), stopped)
    assert result.cancelled and result.reply == ""
    assert_no_head_start_left()
    assert pipeline.text_turn("And Spain?", None).reply  # the model is free


def assert_no_head_start_left(hang_guard_s: float = 60.0) -> None:
    """Every head start thread ends once its turn is over: given time to unwind (a busy machine), none is left."""
    deadline = time.monotonic() + hang_guard_s
    while time.monotonic() < deadline:
        running = [thread for thread in threading.enumerate() if thread.name == "aris-head-start"]
        if not running:
            return
        running[0].join(0.2)
    raise AssertionError(f"head start threads still running after {hang_guard_s:.0f} s: {running}")


def test_a_prepared_clause_no_turn_takes_over_is_let_go_with_the_model(monkeypatch) -> None:
    """A listen whose question is never answered (or a pipeline replaced) leaves a prepared clause behind: after
    a while it gives up, closing the reply (which frees the model's lock), and its thread ends."""
    from concurrent.futures import Future

    from engine import head_start
    from engine.head_start import HeadStart
    from engine.stt import Transcript

    monkeypatch.setattr(head_start, "UNCLAIMED_S", 0.5)
    closed = threading.Event()

    def reply(_text: str, _cancel: CancelToken):  # type: ignore[no-untyped-def]
        try:
            yield from ["Paris is the capital of France,", " and it is lovely."]
        finally:
            closed.set()

    transcript: Future[Transcript] = Future()
    transcript.set_result(
        Transcript("What is the capital of France?", audio_seconds=2.0, processing_seconds=0.1)
    )
    head = HeadStart(transcript, reply, lambda _sentence, _cancel: [], first_clause_chars=20)
    assert head.ready_for("What is the capital of France?", timeout=30)
    assert closed.wait(30), "the unclaimed reply was never closed"
    assert head.cancel.cancelled and head.cancel.reason == "unclaimed"
    assert_no_head_start_left()
