"""Speculative transcription with the real models: used when the question ends with the pause it started
in, dropped when the speaker goes on."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.bench.listening import trimmed
from engine.audio import CAPTURE_RATE, WavSink, WavSource, read_wav, resample
from engine.cancel import CancelToken
from engine.conversation import Conversation
from engine.events import EventType
from engine.pipeline import VoicePipeline
from engine.vad import Endpointer, EndpointSettings
from tests.conftest import CAPITAL_QUESTION, speak, with_silence
from tests.hearing import assert_heard, content_words, words

MILK = "Remind me to buy milk tomorrow."


def pipeline_for(factory, on_event=None) -> VoicePipeline:
    return VoicePipeline(
        factory.transcriber(),
        factory.responder(),
        factory.synthesizer(),
        conversation=Conversation(),
        on_event=on_event,
    )


def push_to_talk() -> Endpointer:
    return Endpointer(EndpointSettings(trailing_silence_ms=4000))


def test_a_question_ending_in_a_pause_is_transcribed_before_the_key_is_released(
    factory, question_wav: Path
) -> None:
    pipeline = pipeline_for(factory)
    # The key is released 0.4 s after the last word: the pause started the transcription.
    source = WavSource(with_silence(read_wav(question_wav), 0.3, 0.4))
    utterance = pipeline.listen(source, push_to_talk(), CancelToken())
    assert utterance is not None
    result = pipeline.voice_turn(utterance.audio, WavSink())
    assert_heard(CAPITAL_QUESTION, result.transcript)
    assert "paris" in words(result.reply)
    assert (pipeline.early.hits, pipeline.early.misses) == (1, 0)


def test_speech_after_the_pause_drops_the_speculation(factory, question_wav: Path, speech_dir: Path) -> None:
    pipeline = pipeline_for(factory)
    more = trimmed(read_wav(speak(MILK, speech_dir / "milk.wav")))
    # A pause after "France", then more words, and the key released at once (no second pause to speculate on).
    audio = np.concatenate([with_silence(read_wav(question_wav), 0.3, 0.5), with_silence(more, 0.0, 0.05)])
    utterance = pipeline.listen(WavSource(audio), push_to_talk(), CancelToken())
    assert utterance is not None
    result = pipeline.voice_turn(utterance.audio, WavSink())
    assert_heard(f"{CAPITAL_QUESTION} {MILK}", result.transcript)
    assert (pipeline.early.hits, pipeline.early.misses) == (0, 1)


def test_hands_free_gets_the_speculation_too_and_dates_the_end_of_speech(factory, question_wav: Path) -> None:
    pipeline = pipeline_for(factory)
    source = WavSource(with_silence(read_wav(question_wav), 0.3, 1.0))
    endpointer = Endpointer(EndpointSettings(trailing_silence_ms=600))
    utterance = pipeline.listen(source, endpointer, CancelToken())
    assert utterance is not None and utterance.speech_end_at is not None
    result = pipeline.voice_turn(utterance.audio, WavSink(), speech_end=utterance.speech_end_at)
    assert_heard(CAPITAL_QUESTION, result.transcript)
    assert pipeline.early.hits == 1
    assert result.times.speech_end == utterance.speech_end_at


def test_hands_free_starts_the_reply_in_the_pause_with_the_real_models(factory, question_wav: Path) -> None:
    events = []
    pipeline = pipeline_for(factory, on_event=events.append)
    # As a microphone delivers it: the pause is real time, in which the first clause is prepared. The pause is
    # long (2.5 s) so that a busy machine has the time too: how soon it is ready is `bench voice`'s figure.
    source = WavSource(with_silence(read_wav(question_wav), 0.3, 3.0), realtime=True)
    utterance = pipeline.listen(source, Endpointer(EndpointSettings(trailing_silence_ms=2500)), CancelToken())
    assert utterance is not None
    sink = WavSink()
    result = pipeline.voice_turn(utterance.audio, sink, speech_end=utterance.speech_end_at)
    assert_heard(CAPITAL_QUESTION, result.transcript)
    assert "paris" in words(result.reply)
    assert (pipeline.early.hits, pipeline.head_starts_used) == (1, 1)
    # The prepared clause is the reply's first sentence, and it was heard: Whisper reads it back.
    first = next(event.text for event in events if event.type is EventType.SENTENCE_READY)
    assert result.reply.startswith(first)
    heard = factory.transcriber().transcribe(resample(sink.audio(), sink.sample_rate, CAPTURE_RATE)).text
    assert {"capital", "paris"} <= content_words(first)
    assert_heard(first, heard)
