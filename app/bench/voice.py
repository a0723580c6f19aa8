"""`python main.py bench`: end of speech → first audio out, streamed vs sequential, with real models.

Questions are spoken by espeak-ng (or the piper voice if espeak-ng is missing) into WAV files, then each is
answered as a push-to-talk turn: the clock starts when the question's audio is complete (the key is
released), so the figure excludes the hands-free endpointing wait, which is reported separately."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.bench.cli_start import cli_figures
from app.bench.listening import listening_figures, word_error_rate
from app.bench.stop import stop_figures
from app.config import Settings, load_settings
from app.engine_factory import EngineFactory
from app.paths import DataPaths
from engine.audio import WavSink, read_wav, write_wav
from engine.conversation import Conversation
from engine.llm import LlamaResponder
from engine.pipeline import VoicePipeline
from engine.tts import synthesize_all

QUESTIONS = (
    "What is the tallest mountain in the world? Tell me about it.",
    "How many legs does a spider have, and why?",
    "What is the largest planet in our solar system?",
    "Who wrote the play Romeo and Juliet? Tell me more.",
    "What color is the sky on a clear summer day?",
)

CONVERSATION = (
    "What is the capital of France?",
    "I really enjoy long walks by the river in the evening.",
    "How many legs does a spider have?",
    "My sister Anna works as a nurse in Berlin.",
    "What is the largest planet in our solar system?",
    "I am learning to play the violin this year.",
    "Who wrote the play Romeo and Juliet?",
    "What color is the sky on a clear day?",
    "My favourite food is mushroom soup.",
    "How many days are in a week?",
    "What is the tallest mountain in the world?",
    "I usually wake up at six in the morning.",
    "What is the capital of Italy?",
    "How many wheels does a bicycle have?",
    "My best friend Tom lives near the sea.",
    "What do bees make?",
    "What is the boiling point of water?",
    "I have two cats and a small garden.",
    "What is the capital of Spain?",
    "Which ocean is the largest?",
)
"""One conversation, questions mixed with statements memory learns from (some only the model can)."""

THINK_SECONDS = 1.5
"""Pause between the turns of the conversation bench: the user hearing the answer and speaking again;
memory learns during it (and is interrupted by the next turn)."""


@dataclass(frozen=True)
class TurnFigures:
    """Milliseconds from end of speech for one turn."""

    transcript_ms: float
    first_token_ms: float
    first_sentence_ms: float
    first_audio_ms: float
    done_ms: float


def speak_question(text: str, path: Path, factory: EngineFactory, rate: int = 140) -> np.ndarray:
    """A spoken question as 16 kHz audio; espeak-ng's voice (``rate`` words a minute) differs from Aris's own,
    as a user's would."""
    espeak = shutil.which("espeak-ng")
    if espeak:
        subprocess.run(
            [espeak, "-v", "en-us", "-s", str(rate), "-w", str(path), text], check=True, capture_output=True
        )
    else:
        audio, _ = synthesize_all(factory.synthesizer(), text)
        write_wav(path, audio.samples, audio.sample_rate)
    return read_wav(path)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else float("nan")


def _streamed_turn(pipeline: VoicePipeline, audio: np.ndarray) -> tuple[TurnFigures, str, tuple[Any, ...]]:
    result = pipeline.voice_turn(audio, WavSink(), speech_end=time.monotonic())
    ms = result.times.as_ms()
    figures = TurnFigures(
        ms["transcript_ready"], ms["first_token"], ms["first_sentence"], ms["first_audio"], ms["done"]
    )
    return figures, result.reply, (result.transcript,)


def _sequential_turn(pipeline: VoicePipeline, audio: np.ndarray) -> tuple[TurnFigures, str, tuple[Any, ...]]:
    """Transcribe, generate the whole reply, then synthesize all of it: the baseline streaming must beat."""
    stt, llm, tts = pipeline.transcriber, pipeline.responder, pipeline.synthesizer
    start = time.monotonic()
    transcript = stt.transcribe(audio)
    heard = time.monotonic()
    messages = pipeline.conversation.build(transcript.text, count_tokens=llm.count_tokens)
    first_token = None
    reply = ""
    for token in llm.respond(messages):
        first_token = first_token or time.monotonic()
        reply += token
    generated = time.monotonic()
    speech, synth_seconds = synthesize_all(tts, reply)
    done = time.monotonic()
    figures = TurnFigures(
        (heard - start) * 1000,
        ((first_token or generated) - start) * 1000,
        (generated - start) * 1000,
        (done - start) * 1000,
        (done - start) * 1000,
    )
    tts_rtf = synth_seconds / speech.seconds if speech.seconds else None
    return figures, reply, (transcript.real_time_factor, tts_rtf)


def run_voice_bench(
    paths: DataPaths,
    turns: int = 5,
    as_json: bool = False,
    *,
    conversation_turns: int = len(CONVERSATION),
    conversations: int = 3,
    cli_runs: int = 3,
) -> dict[str, Any]:
    """Measure and print; returns the figures."""
    settings = load_settings(paths.settings_file)
    factory = EngineFactory(settings.models, paths)
    load_started = time.monotonic()
    factory.warm_up()
    load_seconds = time.monotonic() - load_started
    pipeline = VoicePipeline(
        factory.transcriber(), factory.responder(), factory.synthesizer(), conversation=Conversation()
    )

    with tempfile.TemporaryDirectory() as tmp:
        questions = [
            speak_question(QUESTIONS[i % len(QUESTIONS)], Path(tmp) / f"q{i}.wav", factory)
            for i in range(turns)
        ]
    streamed: list[TurnFigures] = []
    sequential: list[TurnFigures] = []
    stt_rtf: list[float] = []
    tts_rtf: list[float] = []
    replies: list[str] = []
    wer: list[float] = []
    for index, audio in enumerate(questions):
        # Alternate which pipeline goes first: the second run of a question finds its prompt already in
        # llama.cpp's cache, which would flatter whichever pipeline always ran second.
        runs = (_streamed_turn, _sequential_turn) if index % 2 == 0 else (_sequential_turn, _streamed_turn)
        for run in runs:
            pipeline.conversation.clear()
            figures, reply, rtfs = run(pipeline, audio)
            (streamed if run is _streamed_turn else sequential).append(figures)
            if run is _streamed_turn:
                replies.append(reply)
                wer.append(word_error_rate(QUESTIONS[index % len(QUESTIONS)], rtfs[0]))
            else:
                stt_rtf.append(rtfs[0])
                if rtfs[1] is not None:
                    tts_rtf.append(rtfs[1])

    def summary(rows: list[TurnFigures]) -> dict[str, float]:
        return {
            "transcript_ms_median": _median([r.transcript_ms for r in rows]),
            "first_token_ms_median": _median([r.first_token_ms for r in rows]),
            "first_sentence_ms_median": _median([r.first_sentence_ms for r in rows]),
            "first_audio_ms_median": _median([r.first_audio_ms for r in rows]),
            "done_ms_median": _median([r.done_ms for r in rows]),
        }

    listening = listening_figures(pipeline, questions, settings.audio.trailing_silence_ms)
    conversation = _conversation_figures(paths, settings, factory, conversation_turns, conversations)
    cli = cli_figures(cli_runs)
    stop = stop_figures(factory, turns)

    results = {
        "turns": turns,
        "question_seconds_median": round(statistics.median(len(q) / 16000 for q in questions), 2),
        "streamed": summary(streamed),
        "sequential": summary(sequential),
        "stt_rtf_median": round(statistics.median(stt_rtf), 4),
        "tts_rtf_median": round(statistics.median(tts_rtf), 4),
        "endpoint_wait_ms": settings.audio.trailing_silence_ms,
        "model_load_and_warmup_s": round(load_seconds, 2),
        "sample_reply": replies[0] if replies else "",
        "stt_wer_mean": round(statistics.fmean(wer), 4) if wer else None,
        **listening,
        "conversation": conversation,
        "cli": cli,
        "stop": stop,
    }
    if as_json:
        print(json.dumps(results))
    else:
        _print_table(results)
    return results


def _conversation_figures(
    paths: DataPaths, settings: Settings, factory: EngineFactory, turns: int, runs: int
) -> dict[str, object]:
    """``runs`` conversations of twenty spoken turns through the Assistant the desktop drives, memory on and
    learning between turns, each in a fresh throw-away data folder: does the 20th answer start as soon as
    the first? One turn's first audio varies by ±150 ms from run to run on a 2-core machine, so each turn's
    figure is its median over the runs."""
    with tempfile.TemporaryDirectory() as tmp:
        audio = [
            speak_question(CONVERSATION[i % len(CONVERSATION)], Path(tmp) / f"c{i}.wav", factory)
            for i in range(turns)
        ]
        done = [_one_conversation(Path(tmp) / f"data{run}", settings, factory, audio) for run in range(runs)]
    first_audio = [
        _median([conversation["first_audio"][turn] for conversation in done]) for turn in range(turns)
    ]
    return {
        "turns": turns,
        "runs": runs,
        "turn1_first_audio_ms": first_audio[0],
        "turn20_first_audio_ms": first_audio[19] if turns >= 20 else None,
        "last_turn_first_audio_ms": first_audio[-1],
        "first5_first_audio_ms_median": _median(first_audio[:5]),
        "last5_first_audio_ms_median": _median(first_audio[-5:]),
        "first_audio_ms": first_audio,
        "first_audio_ms_runs": [conversation["first_audio"] for conversation in done],
        "prompt_tokens_evaluated": done[0]["evaluated"],
        "learning_extractions": sum(conversation["extractions"] for conversation in done),
        "learning_interrupted": sum(conversation["interrupted"] for conversation in done),
        "think_seconds": THINK_SECONDS,
    }


def _one_conversation(
    data: Path, settings: Settings, factory: EngineFactory, audio: list[np.ndarray]
) -> dict[str, Any]:
    """One conversation in a fresh data folder: each turn's first audio and evaluated prompt tokens."""
    from app.assistant import Assistant

    responder = factory.responder()
    first_audio: list[float] = []
    evaluated: list[int] = []
    assistant = Assistant(DataPaths(data).ensure(), settings.model_copy(update={"memory_enabled": True}))
    assistant.factory = factory  # the loaded models (and the user's verified model cache)
    try:
        assistant.open_memory()
        for question in audio:
            result = assistant.answer_audio(question, WavSink(), speech_end=time.monotonic())
            first_audio.append(result.times.as_ms().get("first_audio", float("nan")))
            stats = responder.last_prompt if isinstance(responder, LlamaResponder) else None
            evaluated.append(stats.evaluated_tokens if stats else -1)  # a model server doesn't say
            time.sleep(THINK_SECONDS)
    finally:
        assistant.close()
    learning = assistant.learning_model
    return {
        "first_audio": first_audio,
        "evaluated": evaluated,
        "extractions": learning.completed,
        "interrupted": learning.interruptions,
    }


def _print_table(r: dict[str, Any]) -> None:
    print(f"Voice turns: {r['turns']} per pipeline, questions ~{r['question_seconds_median']} s (median)")
    print(f"Models loaded and warmed in {r['model_load_and_warmup_s']} s\n")
    print(f"{'median ms after end of speech':32}{'streamed':>10}{'sequential':>12}")
    for key, label in (
        ("transcript_ms_median", "transcript ready"),
        ("first_token_ms_median", "first token"),
        ("first_sentence_ms_median", "first sentence"),
        ("first_audio_ms_median", "FIRST AUDIO OUT"),
        ("done_ms_median", "reply fully synthesized"),
    ):
        print(f"{label:32}{r['streamed'][key]:>10}{r['sequential'][key]:>12}")
    print(f"\nSTT real-time factor (median): {r['stt_rtf_median']}")
    print(f"TTS real-time factor (median): {r['tts_rtf_median']}")
    print(f"Hands-free mode adds the endpointing wait: {r['endpoint_wait_ms']} ms of trailing silence")
    print(f"Sample reply: {r['sample_reply']!r}")
    print(f"Word error rate on the questions (mean): {r['stt_wer_mean']}")
    for mode, clock in (
        ("push_to_talk", "key release"),
        ("hands_free", "end of speech, endpoint wait included"),
    ):
        m = r[mode]
        print(
            f"{mode.replace('_', '-')}: first audio {m['first_audio_ms_median']} ms after {clock} "
            f"(without the reply's head start {m['without_head_start']['first_audio_ms_median']} ms, "
            f"without speculative transcription either {m['without_speculation']['first_audio_ms_median']} ms; "
            f"transcript ready {m['transcript_ms_median']} vs "
            f"{m['without_speculation']['transcript_ms_median']} ms)"
        )
    c = r["conversation"]
    print(
        f"\n{c['runs']} conversations of {c['turns']} spoken turns, memory on, medians: first audio turn 1 "
        f"{c['turn1_first_audio_ms']} ms, turn {c['turns']} {c['last_turn_first_audio_ms']} ms "
        f"(medians of first/last five: {c['first5_first_audio_ms_median']} / "
        f"{c['last5_first_audio_ms_median']} ms)"
    )
    print(f"Prompt tokens evaluated per turn: {c['prompt_tokens_evaluated']}")
    print(f"One-shot `ask`: first token {r['cli']['first_token_ms']} ms after the process started (median)")
    s = r["stop"]
    print(
        f"Stop pressed while speaking: turn returned {s['stop_ms_median']} ms later (median, worst "
        f"{s['stop_ms_max']}); {s['within_target']} of {s['stopped']} within {s['target_ms']:.0f} ms"
    )
