"""The order of a turn's events and what each stage is given, with scripted stages (milliseconds a test).
tests/engine/test_voice_turn.py proves the same pipeline with the real models."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.audio import WavSink, WavSource, read_wav
from engine.cancel import CancelToken
from engine.chat import Role
from engine.conversation import MEMORY_HEADER
from engine.events import (
    AudioStarted,
    EventType,
    SentenceReady,
    Stage,
    StateChanged,
    TokenGenerated,
    TurnCancelled,
    TurnEvent,
    TurnFinished,
    TurnState,
)
from engine.pipeline import VoicePipeline
from engine.vad import Endpointer, EndpointSettings
from tests.conftest import with_silence
from tests.fakes import ScriptedMemory, ScriptedResponder, ScriptedSynthesizer, ScriptedTranscriber


def build(
    transcripts: tuple[str, ...] = ("What is the capital of France?",),
    replies: tuple[str, ...] = ("The capital of France is Paris. It is big.",),
    memory: ScriptedMemory | None = None,
) -> tuple[VoicePipeline, list[TurnEvent]]:
    events: list[TurnEvent] = []
    pipeline = VoicePipeline(
        ScriptedTranscriber(*transcripts),
        ScriptedResponder(*replies),
        ScriptedSynthesizer(),
        memory=memory,
        on_event=events.append,
    )
    return pipeline, events


def test_a_spoken_turn_emits_its_events_in_order() -> None:
    pipeline, events = build()
    audio = np.zeros(16_000, dtype=np.float32)
    result = pipeline.voice_turn(audio, WavSink(), speech_end=123.0)
    kinds = [e.type for e in events]
    assert kinds[:4] == [
        EventType.TURN_STARTED,
        EventType.SPEECH_ENDED,
        EventType.STATE_CHANGED,
        EventType.TRANSCRIPT_READY,
    ]
    first = {kind: kinds.index(kind) for kind in set(kinds)}
    assert (
        first[EventType.TRANSCRIPT_READY]
        < first[EventType.TOKEN_GENERATED]
        < first[EventType.SENTENCE_READY]
        < first[EventType.AUDIO_STARTED]
        < first[EventType.TURN_FINISHED]
    )
    assert kinds[-2:] == [EventType.TURN_FINISHED, EventType.STATE_CHANGED]
    states = [e.state for e in events if isinstance(e, StateChanged)]
    assert states == [TurnState.TRANSCRIBING, TurnState.THINKING, TurnState.SPEAKING, TurnState.IDLE]
    assert [e.text for e in events if isinstance(e, SentenceReady)] == [
        "The capital of France is Paris.",
        "It is big.",
    ]
    assert "".join(e.text for e in events if isinstance(e, TokenGenerated)) == result.reply
    assert sum(isinstance(e, AudioStarted) for e in events) == 1
    assert pipeline.synthesizer.calls == ["The capital of France is Paris.", "It is big."]
    assert pipeline.transcriber.calls[0] is audio
    times = result.times
    assert times.speech_end == 123.0
    assert all(times.reached(stage) for stage in Stage)
    assert times.transcript_ready <= times.first_token <= times.first_sentence <= times.first_audio
    finished = events[-2]
    assert isinstance(finished, TurnFinished) and finished.times == times


def test_the_prompt_is_system_history_memories_question() -> None:
    memory = ScriptedMemory(recalled=["The user's dog is called Rex."])
    pipeline, _ = build(
        transcripts=("Hi.", "What is my dog called?"), replies=("Hello.", "Rex."), memory=memory
    )
    pipeline.voice_turn(np.zeros(8000, np.float32), None)
    pipeline.voice_turn(np.zeros(8000, np.float32), None)
    prompt = pipeline.responder.calls[-1]
    assert [m.role for m in prompt] == [Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.SYSTEM, Role.USER]
    assert prompt[1].content == "Hi." and prompt[2].content == "Hello."
    assert prompt[3].content.startswith(MEMORY_HEADER) and "Rex" in prompt[3].content
    assert prompt[4].content == "What is my dog called?"


def test_a_memory_command_is_answered_without_the_model() -> None:
    memory = ScriptedMemory(commands={"Remember that I like tea.": "Got it."})
    pipeline, events = build(transcripts=("Remember that I like tea.",), memory=memory)
    result = pipeline.voice_turn(np.zeros(8000, np.float32), WavSink())
    assert result.reply == "Got it." and pipeline.responder.calls == []
    assert [e.text for e in events if isinstance(e, SentenceReady)] == ["Got it."]


def test_nothing_heard_fails_the_turn_politely() -> None:
    pipeline, events = build(transcripts=("",))
    result = pipeline.voice_turn(np.zeros(8000, np.float32), WavSink())
    assert result.reply == "" and pipeline.responder.calls == []
    assert [e.type for e in events][-2:] == [EventType.TURN_FAILED, EventType.STATE_CHANGED]


def test_a_cancelled_turn_keeps_only_what_was_heard() -> None:
    pipeline, events = build(replies=("One. Two. Three. Four.",))
    cancel = CancelToken()
    pipeline._on_event = lambda e: (events.append(e), isinstance(e, SentenceReady) and cancel.cancel("test"))
    result = pipeline.text_turn("Count.", WavSink(realtime=True), cancel)
    assert result.cancelled
    cancelled = [e for e in events if isinstance(e, TurnCancelled)]
    assert len(cancelled) == 1 and cancelled[0].reason == "test"
    assert not any(isinstance(e, TurnFinished) for e in events)
    assert pipeline.conversation.history[-1].content == "Count."  # nothing of the reply was heard


def test_a_pause_before_the_release_transcribes_early_and_once(question_wav: Path) -> None:
    """Speculative transcription with the real VAD and a scripted transcriber that records its input."""
    pipeline, _ = build()
    source = WavSource(with_silence(read_wav(question_wav), 0.3, 0.5))
    utterance = pipeline.listen(source, Endpointer(EndpointSettings(trailing_silence_ms=4000)), CancelToken())
    assert utterance is not None
    pipeline.voice_turn(utterance.audio, None)
    calls = pipeline.transcriber.calls
    assert len(calls) == 1 and np.array_equal(calls[0], utterance.audio)
    assert (pipeline.early.hits, pipeline.early.misses) == (1, 0)


def test_speculation_off_transcribes_after_the_question_ends(question_wav: Path) -> None:
    pipeline, _ = build()
    pipeline.settings = type(pipeline.settings)(speculative_transcription=False)
    source = WavSource(with_silence(read_wav(question_wav), 0.3, 0.5))
    utterance = pipeline.listen(source, Endpointer(EndpointSettings(trailing_silence_ms=4000)), CancelToken())
    assert utterance is not None and pipeline.transcriber.calls == []
    pipeline.voice_turn(utterance.audio, None)
    assert len(pipeline.transcriber.calls) == 1 and pipeline.early.hits == 0
