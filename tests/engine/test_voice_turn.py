"""Real models, real audio: spoken questions through transcribe and listen, streamed replies, speech out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.audio import WavSink, read_wav
from engine.conversation import Conversation
from engine.events import EventType, StateChanged, TurnEvent, TurnState
from engine.pipeline import VoicePipeline
from tests.conftest import CAPITAL_QUESTION, run_cli, speak, with_silence
from tests.hearing import assert_heard, words

MILK = "Remind me to buy milk tomorrow."


def test_transcribe_cli_prints_path_and_text_for_each_file(speech_dir: Path, question_wav: Path) -> None:
    second = speak(MILK, speech_dir / "milk.wav")
    result = run_cli("transcribe", str(question_wav), str(second))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == [str(question_wav), str(second)]
    assert_heard(CAPITAL_QUESTION, lines[0].split("\t")[1])
    assert_heard(MILK, lines[1].split("\t")[1])

    as_json = run_cli("transcribe", "--json", str(second))
    record = json.loads(as_json.stdout)
    assert record["path"] == str(second) and record["rtf"] > 0
    assert_heard(MILK, record["text"])


def test_listen_answers_a_spoken_question_out_loud(question_wav: Path, tmp_path: Path, factory) -> None:
    reply_wav = tmp_path / "reply.wav"
    result = run_cli(
        "listen", str(question_wav), "--speak", str(reply_wav), "--json", data_dir=tmp_path / "d"
    )
    assert result.returncode == 0, result.stderr
    turn = json.loads(result.stdout)
    assert_heard(CAPITAL_QUESTION, turn["transcript"])
    assert "paris" in words(turn["reply"])
    timings = turn["timings"]
    assert (
        0 < timings["transcript_ready"] <= timings["first_token"] <= timings["first_audio"] <= timings["done"]
    )
    # The reply WAV is speech: transcribing it back gives the reply's words.
    heard = factory.transcriber().transcribe(read_wav(reply_wav)).text
    assert_heard(turn["reply"], heard)


def test_ask_streams_the_reply_and_can_speak_it(tmp_path: Path) -> None:
    out = tmp_path / "ask.wav"
    # Without few-shot examples in the system prompt the 135M model says a spider has "four pairs of
    # appendages"; a week's days it states plainly.
    result = run_cli("ask", "How many days are in a week?", "--speak", str(out), data_dir=tmp_path / "d")
    assert result.returncode == 0, result.stderr
    assert re.search(r"\b(7|seven)\b", result.stdout.lower()), result.stdout
    assert out.stat().st_size > 20_000


def test_a_voice_turn_emits_its_stages_in_order(factory, question_wav: Path) -> None:
    events: list[TurnEvent] = []
    pipeline = VoicePipeline(
        factory.transcriber(),
        factory.responder(),
        factory.synthesizer(),
        conversation=Conversation(),
        on_event=events.append,
    )
    result = pipeline.voice_turn(with_silence(read_wav(question_wav), 0.2, 0.2), WavSink())
    kinds = [e.type for e in events]
    states = [e.state for e in events if isinstance(e, StateChanged)]
    assert kinds[:3] == [EventType.TURN_STARTED, EventType.SPEECH_ENDED, EventType.STATE_CHANGED]
    assert states == [TurnState.TRANSCRIBING, TurnState.THINKING, TurnState.SPEAKING, TurnState.IDLE]
    order = [
        EventType.TRANSCRIPT_READY,
        EventType.TOKEN_GENERATED,
        EventType.SENTENCE_READY,
        EventType.AUDIO_STARTED,
        EventType.TURN_FINISHED,
    ]
    assert [kinds.index(k) for k in order] == sorted(kinds.index(k) for k in order)
    assert "".join(e.text for e in events if e.type is EventType.TOKEN_GENERATED).strip() == result.reply
    ms = result.times.as_ms()
    assert list(ms) == ["transcript_ready", "first_token", "first_sentence", "first_audio", "done"]
    assert list(ms.values()) == sorted(ms.values())
    # The exchange is remembered for the next turn.
    assert [m.content for m in pipeline.conversation.history] == [result.transcript, result.reply]


def test_conversation_context_carries_to_the_next_turn(factory) -> None:
    pipeline = VoicePipeline(factory.transcriber(), factory.responder(), factory.synthesizer())
    pipeline.text_turn("My favourite colour is green.", None)
    second = pipeline.text_turn("What is my favourite colour?", None)
    assert "green" in second.reply.lower()


def test_empty_transcript_is_reported_not_answered(factory) -> None:
    import numpy as np

    events: list[TurnEvent] = []
    pipeline = VoicePipeline(
        factory.transcriber(), factory.responder(), factory.synthesizer(), on_event=events.append
    )
    result = pipeline.voice_turn(np.zeros(16000, np.float32), WavSink())
    assert result.reply == ""
    failed = [e for e in events if e.type is EventType.TURN_FAILED]
    assert failed and failed[0].code == "no_speech"


@pytest.mark.parametrize("missing", ["file", "not-audio"])
def test_unreadable_question_file_is_a_clear_error(tmp_path: Path, missing: str) -> None:
    path = tmp_path / "question.wav"
    if missing == "not-audio":
        path.write_text("this is not a wav file")
    result = run_cli("listen", str(path), data_dir=tmp_path / "d")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
