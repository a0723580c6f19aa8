"""`bench endpoint`: the adaptive end of turn against the fixed wait, on the clock of the audio rather than
the machine's: questions said with a pause inside them (cut off or not) and complete questions (how long
after the last word the question ends), with real Whisper transcripts of each pause.

The transcript of a pause is taken to arrive ``stt_ms`` after the pause began (the speculation starts
128 ms into it); on a quiet two-core machine Whisper tiny.en needs ~300 ms for a short question. Everything
else is what the pipeline does: the same endpointer, the same judgement of the transcript."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.bench.listening import trimmed
from app.bench.live.run import HESITANT, HESITANT_PAUSES_S, HESITANT_VOICES, QUESTIONS
from app.bench.wake_speech import espeak
from engine.audio import CAPTURE_RATE, FRAME_SAMPLES
from engine.stt import Transcript
from engine.turn_end import TurnEnd, judge_turn_end
from engine.vad import FRAME_SECONDS, Endpointer, EndpointSettings

COMPLETE_EXTRA = (
    "What time is it in Tokyo?",
    "Set a timer for ten minutes.",
    "Add eggs to my shopping list.",
    "Who wrote Romeo and Juliet?",
    "Turn off the lights in the kitchen.",
)


@dataclass(frozen=True)
class Clip:
    """A question as the microphone would hear it, and where its speech ends (seconds)."""

    audio: np.ndarray
    speech_end_s: float
    hesitant: bool


def _clips(count: int) -> list[Clip]:
    lead = np.zeros(int(0.3 * CAPTURE_RATE), np.float32)
    tail = np.zeros(int(2.0 * CAPTURE_RATE), np.float32)
    clips = []
    for index in range(count):
        first, rest = HESITANT[index % len(HESITANT)]
        voice = HESITANT_VOICES[(index // len(HESITANT)) % len(HESITANT_VOICES)]
        pause = np.zeros(int(HESITANT_PAUSES_S[index % len(HESITANT_PAUSES_S)] * CAPTURE_RATE), np.float32)
        speech = np.concatenate(
            [trimmed(espeak(first, voice, 150)), pause, trimmed(espeak(rest, voice, 150))]
        )
        clips.append(
            Clip(np.concatenate([lead, speech, tail]), (len(lead) + len(speech)) / CAPTURE_RATE, True)
        )
    for index, text in enumerate((*QUESTIONS, *COMPLETE_EXTRA)):
        voice = HESITANT_VOICES[index % len(HESITANT_VOICES)]
        speech = trimmed(espeak(text, voice, 150))
        clips.append(
            Clip(np.concatenate([lead, speech, tail]), (len(lead) + len(speech)) / CAPTURE_RATE, False)
        )
    return clips


def _end_of_question(
    clip: Clip, settings: EndpointSettings, transcribe: Callable[[np.ndarray], Transcript], stt_ms: int
) -> tuple[float, list[str]]:
    """Where (s) the endpointer ends the question, and the transcripts of its pauses."""
    endpointer = Endpointer(settings)
    delay_frames = max(1, round(stt_ms / 1000 / FRAME_SECONDS))
    verdict: tuple[int, Transcript] | None = None
    """(frame at which the pause's transcript arrives, its text)."""
    heard: list[str] = []
    for index in range(len(clip.audio) // FRAME_SAMPLES):
        frame = clip.audio[index * FRAME_SAMPLES : (index + 1) * FRAME_SAMPLES]
        result = endpointer.feed(frame)
        if result is not None and result[1] is not None:
            return (index + 1) * FRAME_SECONDS, heard
        paused = endpointer.paused_audio()
        if paused is not None and settings.adaptive:
            transcript = transcribe(paused)
            heard.append(transcript.text)
            verdict = (index + delay_frames, transcript)
        elif endpointer.silent_frames == 0:
            verdict = None
        if verdict is not None and index >= verdict[0]:
            pause = {
                TurnEnd.COMPLETE: settings.complete_ms,
                TurnEnd.UNFINISHED: settings.unfinished_ms,
                TurnEnd.UNSURE: settings.trailing_silence_ms,
            }[judge_turn_end(verdict[1].text, verdict[1].avg_logprob)]
            ended = endpointer.end_pause_after(pause)
            verdict = None
            if ended is not None:
                return (index + 1) * FRAME_SECONDS, heard
    return len(clip.audio) / CAPTURE_RATE, heard


def run_turn_end_bench(
    transcribe: Callable[[np.ndarray], Transcript], hesitant: int = 30, stt_ms: int = 300, fixed_ms: int = 600
) -> dict[str, object]:
    """Cut-offs and end-of-question waits, adaptive and fixed."""
    clips = _clips(hesitant)
    modes = {
        "adaptive": EndpointSettings(trailing_silence_ms=fixed_ms, adaptive=True),
        "fixed": EndpointSettings(trailing_silence_ms=fixed_ms),
    }
    report: dict[str, object] = {
        "hesitant_n": hesitant,
        "complete_n": len(clips) - hesitant,
        "stt_ms": stt_ms,
    }
    for name, settings in modes.items():
        cut = 0
        waits = []
        for clip in clips:
            ended_s, _heard = _end_of_question(clip, settings, transcribe, stt_ms)
            if clip.hesitant:
                cut += ended_s < clip.speech_end_s - 0.05
            else:
                waits.append((ended_s - clip.speech_end_s) * 1000)
        report[name] = {
            "cutoffs": cut,
            "cutoff_rate": round(cut / hesitant, 3) if hesitant else None,
            "end_wait_ms_median": round(statistics.median(waits), 1) if waits else None,
        }
    return report
