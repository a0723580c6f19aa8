"""`bench stt`: what Whisper's shorter encoder window and the lead silence cost in accuracy, and save in time.

Every sentence of tests/stt_sentences.txt is spoken three ways (espeak-ng at 140 and 175 words a minute, the
piper voice) and cut the way the listen path cuts a question (Silero endpointing with its pre-roll, so a clip
often starts on its first sound). Each clip is transcribed with Whisper's whole 30 s window and with the
configured shorter one, each with and without the lead silence, and scored by word error rate against the
sentence; a clip's first word lost is counted on its own, as that was how the short window failed."""

from __future__ import annotations

import shutil
import statistics
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.bench.listening import word_error_rate, words
from app.bench.voice import speak_question
from app.config import load_settings
from app.engine_factory import EngineFactory
from app.paths import DataPaths
from engine.audio import CAPTURE_RATE, WavSource, resample
from engine.stt import FULL_WINDOW_SECONDS, WhisperTranscriber
from engine.tts import synthesize_all
from engine.vad import Endpointer, Utterance, first_utterance
from models.errors import ArisError
from models.locate import project_path

SENTENCES_FILE = project_path("tests", "stt_sentences.txt")
ESPEAK_RATES = (140, 175)


class SttBenchError(ArisError):
    """The benchmark cannot run (a missing tool or sentence file)."""

    code = "stt_bench"


@dataclass(frozen=True)
class Clip:
    """One spoken sentence, cut as the listen path cuts it."""

    sentence: str
    voice: str
    audio: np.ndarray


@dataclass(frozen=True)
class ConfigFigures:
    """How one window and lead silence did over every clip."""

    window_seconds: float
    lead_silence_seconds: float
    word_error_rate: float
    first_word_lost: int
    """Clips whose first word is missing from the transcript's first two words."""
    transcribe_ms_median: float
    word_error_rate_by_voice: dict[str, float]


def load_sentences(path: Path = SENTENCES_FILE, limit: int | None = None) -> list[str]:
    """The sentences, without comments and blank lines."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SttBenchError(f"Cannot read the sentence list {path}: {error.strerror}.") from error
    sentences = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return sentences[:limit] if limit else sentences


def spoken_clips(sentences: list[str], factory: EngineFactory, folder: Path) -> list[Clip]:
    """Each sentence in each voice, endpointed."""
    if shutil.which("espeak-ng") is None:  # speak_question would fall back to the piper voice
        raise SttBenchError("`bench stt` needs espeak-ng (apt install espeak-ng).")
    synthesizer = factory.synthesizer()
    clips = []
    for index, sentence in enumerate(sentences):
        for rate in ESPEAK_RATES:
            audio = speak_question(sentence, folder / f"{index}-{rate}.wav", factory, rate)
            clips.append(Clip(sentence, f"espeak-ng-{rate}", endpointed(audio)))
        speech, _seconds = synthesize_all(synthesizer, sentence)
        clips.append(
            Clip(sentence, "piper", endpointed(resample(speech.samples, speech.sample_rate, CAPTURE_RATE)))
        )
    return clips


def endpointed(audio: np.ndarray) -> np.ndarray:
    """The audio the listen path would hand to Whisper (the whole clip if no speech was found)."""
    found = first_utterance(WavSource(audio, pad_seconds=1.0).frames(), Endpointer())
    utterance = next((item for item in found if isinstance(item, Utterance)), None)
    return utterance.audio if utterance is not None else audio


def first_word_lost(sentence: str, heard: str) -> bool:
    """Whether the sentence's first word is not among the transcript's first two."""
    said, got = words(sentence), words(heard)
    return bool(said) and said[0] not in got[:2]


def measure(transcriber: WhisperTranscriber, clips: list[Clip], window: float, lead: float) -> ConfigFigures:
    """Transcribe every clip with one window and lead silence (the transcriber's own are restored after)."""
    saved = transcriber.min_window_seconds, transcriber.lead_silence_seconds
    transcriber.min_window_seconds, transcriber.lead_silence_seconds = window, lead
    try:
        results = [(clip, transcriber.transcribe(clip.audio)) for clip in clips]
    finally:
        transcriber.min_window_seconds, transcriber.lead_silence_seconds = saved
    errors = [(clip.voice, word_error_rate(clip.sentence, heard.text)) for clip, heard in results]
    voices = sorted({clip.voice for clip in clips})
    return ConfigFigures(
        window_seconds=window,
        lead_silence_seconds=lead,
        word_error_rate=round(statistics.fmean(error for _voice, error in errors), 4),
        first_word_lost=sum(first_word_lost(clip.sentence, heard.text) for clip, heard in results),
        transcribe_ms_median=round(statistics.median(h.processing_seconds * 1000 for _c, h in results), 1),
        word_error_rate_by_voice={
            voice: round(statistics.fmean(e for v, e in errors if v == voice), 4) for voice in voices
        },
    )


def run_stt_bench(paths: DataPaths, limit: int | None = None) -> dict[str, Any]:
    """Every window and lead silence pairing over the spoken sentences."""
    factory = EngineFactory(load_settings(paths.settings_file).models, paths)
    transcriber = factory.transcriber()
    sentences = load_sentences(limit=limit)
    with tempfile.TemporaryDirectory(prefix="aris-stt-bench-") as folder:
        clips = spoken_clips(sentences, factory, Path(folder))
    transcriber.transcribe(clips[0].audio)  # warm-up
    configured = transcriber.min_window_seconds, transcriber.lead_silence_seconds
    configs = [
        measure(transcriber, clips, window, lead)
        for window in dict.fromkeys((FULL_WINDOW_SECONDS, configured[0]))
        for lead in dict.fromkeys((0.0, configured[1]))
    ]
    return {
        "sentences": len(sentences),
        "clips": len(clips),
        "clip_seconds_median": round(statistics.median(len(c.audio) / CAPTURE_RATE for c in clips), 2),
        "configured": {"window_seconds": configured[0], "lead_silence_seconds": configured[1]},
        "configs": [asdict(config) for config in configs],
    }
