"""`bench wake`: how often the wake word fires on speech without it, how often it misses the phrase in a noisy
room, what listening for it costs, and how soon after the phrase Aris listens.

Negatives: minutes of speech without the wake word (sentences from a file other people wrote, said by
espeak-ng's voices, by made-up speakers from the bundled piper voice, and by Aris's own voice), with music
and noise between and under them. Positives: the wake phrase said by made-up speakers (pace, expressiveness,
pitch), alone or followed by a question, at 10 dB SNR under noise, music or babble, half of them at a
distance (reverb). The audio is made once per minute and per phrase and kept under the user's cache folder,
so later runs only score it."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.bench.wake_speech import (
    PiperSpeaker,
    VoiceVariant,
    coloured_noise,
    espeak,
    music,
    reverb,
    rms,
    with_noise,
)
from engine.audio import CAPTURE_RATE
from engine.wake import WakeSettings, WakeWord, WakeWordDetector, frames_of

log = logging.getLogger(__name__)

CACHE_VERSION = "v1"
"""Bumped when the recipe changes, so stale audio is never scored."""
ESPEAK_VOICES = (
    "en-us",
    "en-gb",
    "en-us+m3",
    "en-us+f2",
    "en-gb+f4",
    "en-us+m7",
    "en-029",
    "en-gb-scotland",
)
SNR_DB = 10.0
"""Positives' speech over their background."""
ACCEPT_AFTER_S = 1.0
"""A detection this long after the phrase's last sound still counts as hearing it."""
LEAD_S = 0.6
"""Background before each positive phrase."""


@dataclass(frozen=True)
class WakeBenchOptions:
    """How much to measure."""

    wake_word: WakeWord = WakeWord.HEY_JARVIS
    positives: int = 200
    negative_minutes: int = 60
    sentences: tuple[str, ...] = ()
    """What the negatives say (one per line of the sentence file)."""
    threshold: float | None = None
    """The detector's cut-off; None: the model's own."""


@dataclass
class WakeBenchResult:
    """The figures, and what they were measured on."""

    wake_word: str
    threshold: float
    negative_seconds: float
    false_accepts: list[dict[str, object]]
    positives: int
    missed: list[dict[str, object]]
    latencies_ms: list[float]
    cpu_seconds: float
    scored_seconds: float
    generation_seconds: float
    by_condition: dict[str, list[int]] = field(default_factory=dict)
    """condition → [heard, total]."""

    def report(self) -> dict[str, object]:
        """The JSON document `bench wake --json` prints."""
        hours = self.negative_seconds / 3600
        return {
            "wake_word": self.wake_word,
            "threshold": self.threshold,
            "false_accepts_per_hour": round(len(self.false_accepts) / hours, 2) if hours else None,
            "false_accepts": self.false_accepts,
            "false_reject_rate": round(len(self.missed) / self.positives, 4) if self.positives else None,
            "missed": self.missed,
            "positives": self.positives,
            "positives_by_condition": {k: {"heard": h, "of": n} for k, (h, n) in self.by_condition.items()},
            "snr_db": SNR_DB,
            "negative_hours": round(hours, 3),
            "cpu_share_of_core": round(self.cpu_seconds / self.scored_seconds, 5)
            if self.scored_seconds
            else None,
            "wake_to_listening_ms_median": (
                round(statistics.median(self.latencies_ms), 1) if self.latencies_ms else None
            ),
            "wake_to_listening_ms_p90": (
                round(float(np.percentile(self.latencies_ms, 90)), 1) if self.latencies_ms else None
            ),
            "generation_seconds": round(self.generation_seconds, 1),
        }


def read_sentences(path: Path) -> tuple[str, ...]:
    """Sentences from a TSV with a ``text`` column (HWU64's), or one per line; the wake words' names are
    dropped, so a negative never says one."""
    with path.open(encoding="utf-8") as handle:
        if path.suffix == ".tsv":
            texts = [row["text"] for row in csv.DictReader(handle, delimiter="\t") if row.get("text")]
        else:
            texts = [line.strip() for line in handle if line.strip()]
    names = ("jarvis", "nabu", "mycroft", "alexa")
    return tuple(t for t in texts if not any(n in t.lower() for n in names))


# ---- the audio, made once ------------------------------------------------------------------------------


class _Studio:
    """Makes the bench's audio; the piper voice loads on first use (a cached run never needs it)."""

    def __init__(self, voice_path: Callable[[], Path], sentences: Sequence[str]) -> None:
        self._voice_path = voice_path
        self._piper: PiperSpeaker | None = None
        self.sentences = sentences

    @property
    def piper(self) -> PiperSpeaker:
        if self._piper is None:
            self._piper = PiperSpeaker(self._voice_path())
        return self._piper

    def background(self, kind: str, seconds: float, seed: int) -> np.ndarray:
        """A room sound: pink/brown/white noise, music, or babble (two espeak-ng voices at once)."""
        if kind == "music":
            return music(seconds, seed)
        if kind == "babble":
            rng = np.random.default_rng(seed)
            voices = []
            for _ in range(2):
                text = " ".join(rng.choice(self.sentences, 3))
                voices.append(espeak(text, str(rng.choice(ESPEAK_VOICES)), int(rng.integers(140, 190))))
            length = min(len(v) for v in voices)
            mixed = sum(v[:length] for v in voices)
            assert isinstance(mixed, np.ndarray)
            if len(mixed) < seconds * CAPTURE_RATE:
                mixed = np.tile(mixed, int(seconds * CAPTURE_RATE / max(1, len(mixed))) + 1)
            mixed = mixed[: int(seconds * CAPTURE_RATE)]
            return (mixed / max(rms(mixed), 1e-9)).astype(np.float32)
        return coloured_noise(seconds, kind, seed)

    def negative_minute(self, index: int) -> np.ndarray:
        """One minute of sound without the wake word; the same minute for the same index."""
        rng = np.random.default_rng(10_000 + index)
        target = 60 * CAPTURE_RATE
        pieces: list[np.ndarray] = []
        length = 0
        while length < target:
            kind = rng.choice(["piper", "aris", "espeak", "music", "noise"], p=[0.3, 0.15, 0.35, 0.1, 0.1])
            if kind in ("music", "noise"):
                seconds = float(rng.uniform(2.0, 6.0))
                sound = self.background(
                    "music" if kind == "music" else str(rng.choice(["pink", "brown", "white"])),
                    seconds,
                    int(rng.integers(1 << 30)),
                )
                piece = sound * float(rng.uniform(0.02, 0.15))
            else:
                text = " ".join(str(s) for s in rng.choice(self.sentences, int(rng.integers(1, 4))))
                if kind == "espeak":
                    piece = espeak(text, str(rng.choice(ESPEAK_VOICES)), int(rng.integers(130, 200)))
                elif kind == "aris":
                    piece = self.piper.say(text)  # Aris's own voice, unchanged
                else:
                    piece = self.piper.say(text, _random_variant(rng))
                if rng.random() < 0.3:
                    noise_kind = str(rng.choice(["pink", "brown", "music", "babble"]))
                    noise = self.background(noise_kind, len(piece) / CAPTURE_RATE, int(rng.integers(1 << 30)))
                    piece = with_noise(piece, noise, float(rng.uniform(5.0, 20.0)))
                if rng.random() < 0.25:
                    piece = reverb(piece, int(rng.integers(30, 80)))
                piece = piece * float(rng.uniform(0.3, 1.0))
            gap = np.zeros(int(rng.uniform(0.1, 0.8) * CAPTURE_RATE), dtype=np.float32)
            pieces += [piece.astype(np.float32), gap]
            length += len(piece) + len(gap)
        return np.concatenate(pieces)[:target]

    def positive(self, wake_word: WakeWord, index: int) -> tuple[np.ndarray, float, str]:
        """One wake phrase in a noisy room: the audio, where the phrase's last sound is (s), the condition."""
        rng = np.random.default_rng(20_000 + index)
        variant = _random_variant(rng)
        phrase = _trimmed(self.piper.say(f"{wake_word.phrase}.", variant))
        parts = [phrase]
        if rng.random() < 0.5:  # said in one breath with the question, as people do
            question = self.piper.say(str(rng.choice(self.sentences)), variant)
            parts += [
                np.zeros(int(rng.uniform(0.05, 0.3) * CAPTURE_RATE), dtype=np.float32),
                _trimmed(question),
            ]
        speech = np.concatenate([np.zeros(int(LEAD_S * CAPTURE_RATE), dtype=np.float32), *parts])
        speech = np.concatenate([speech, np.zeros(int(1.2 * CAPTURE_RATE), dtype=np.float32)])
        far = index % 2 == 1
        if far:
            speech = reverb(speech, int(rng.integers(40, 90)))
        noise_kind = ("pink", "brown", "white", "music", "babble")[index % 5]
        noise = self.background(noise_kind, len(speech) / CAPTURE_RATE + 0.1, 30_000 + index)
        audio = with_noise(speech, noise, SNR_DB) * float(rng.uniform(0.3, 1.0))
        phrase_end = LEAD_S + len(phrase) / CAPTURE_RATE
        return audio.astype(np.float32), phrase_end, f"{noise_kind}{'+far' if far else ''}"


def _random_variant(rng: np.random.Generator) -> VoiceVariant:
    return VoiceVariant(
        length_scale=round(float(rng.uniform(0.75, 1.35)), 2),
        noise_scale=round(float(rng.uniform(0.3, 1.0)), 2),
        noise_w=round(float(rng.uniform(0.4, 1.2)), 2),
        pitch_cents=int(rng.integers(-350, 351)),
    )


def _trimmed(audio: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """Without the silence piper puts before and after a sentence."""
    loud = np.nonzero(np.abs(audio) > threshold * max(1e-6, float(np.max(np.abs(audio)))))[0]
    return audio[loud[0] : loud[-1] + 1] if len(loud) else audio


class _Cache:
    """int16 .npy files under the user's cache folder, one per minute of negatives and one per positive."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def get(
        self, name: str, make: Callable[[], tuple[np.ndarray, dict[str, object]]]
    ) -> tuple[np.ndarray, dict[str, object]]:
        """The cached audio and its notes, made with ``make`` the first time."""
        audio_path = self.root / f"{name}.npy"
        meta_path = self.root / f"{name}.json"
        if audio_path.is_file() and meta_path.is_file():
            meta: dict[str, object] = json.loads(meta_path.read_text())
            return np.load(audio_path).astype(np.float32) / 32767.0, meta
        audio, made = make()
        audio_path.parent.mkdir(parents=True, exist_ok=True)
        np.save(audio_path, (np.clip(audio, -1, 1) * 32767).astype(np.int16))
        meta_path.write_text(json.dumps(made))
        return audio, made


# ---- scoring ------------------------------------------------------------------------------------------


class _Scorer:
    """A detector fed microphone-sized frames, with the CPU it used."""

    def __init__(self, settings: WakeSettings) -> None:
        self.detector = WakeWordDetector(settings)
        self.cpu_seconds = 0.0
        self.scored_seconds = 0.0

    def run(self, audio: np.ndarray) -> list[tuple[float, float]]:
        """(stream seconds of each detection, the compute time of the frame it fired in)."""
        found = []
        start_position = self.detector.stream_seconds
        for frame in frames_of(audio):
            began = time.process_time()
            wall = time.perf_counter()
            detection = self.detector.feed(frame)
            self.cpu_seconds += time.process_time() - began
            if detection is not None:
                found.append((detection.stream_seconds - start_position, time.perf_counter() - wall))
        self.scored_seconds += len(audio) / CAPTURE_RATE
        return found


def run_wake_bench(
    options: WakeBenchOptions,
    cache_dir: Path,
    voice_path: Callable[[], Path],
    progress: Callable[[str], None] | None = None,
) -> WakeBenchResult:
    """Make (or load) the audio and score it."""
    say = progress or (lambda _message: None)
    studio = _Studio(voice_path, options.sentences)
    # The sentences said are part of the recipe: another file makes other audio.
    digest = hashlib.sha256("\n".join(options.sentences).encode()).hexdigest()[:10]
    cache = _Cache(cache_dir / CACHE_VERSION / digest)
    settings = WakeSettings(options.wake_word, threshold=options.threshold)
    generation = 0.0

    negatives = _Scorer(settings)
    false_accepts: list[dict[str, object]] = []
    for minute in range(options.negative_minutes):
        began = time.monotonic()

        def make_minute(m: int = minute) -> tuple[np.ndarray, dict[str, object]]:
            return studio.negative_minute(m), {}

        audio, _meta = cache.get(f"negatives/{minute:03d}", make_minute)
        generation += time.monotonic() - began
        for position, _ in negatives.run(audio):
            false_accepts.append({"minute": minute, "second": round(position, 2)})
        if minute % 5 == 4:
            say(f"negatives: {minute + 1}/{options.negative_minutes} min, {len(false_accepts)} false accepts")

    positives = _Scorer(settings)
    missed: list[dict[str, object]] = []
    latencies: list[float] = []
    by_condition: dict[str, list[int]] = {}
    for index in range(options.positives):
        began = time.monotonic()

        def make(i: int = index) -> tuple[np.ndarray, dict[str, object]]:
            audio, end, condition = studio.positive(options.wake_word, i)
            return audio, {"phrase_end": end, "condition": condition}

        audio, meta = cache.get(f"positives/{options.wake_word.value}-{index:04d}", make)
        generation += time.monotonic() - began
        positives.detector.reset()
        phrase_end = float(str(meta["phrase_end"]))
        hits = [
            (at, cost) for at, cost in positives.run(audio) if LEAD_S <= at <= phrase_end + ACCEPT_AFTER_S
        ]
        tally = by_condition.setdefault(str(meta["condition"]), [0, 0])
        tally[1] += 1
        if hits:
            tally[0] += 1
            at, cost = hits[0]
            latencies.append(max(0.0, at - phrase_end) * 1000 + cost * 1000)
        else:
            missed.append({"index": index, "condition": meta["condition"]})
        if index % 50 == 49:
            say(f"positives: {index + 1}/{options.positives}, {len(missed)} missed")

    return WakeBenchResult(
        wake_word=options.wake_word.value,
        threshold=negatives.detector.threshold,
        negative_seconds=negatives.scored_seconds,
        false_accepts=false_accepts,
        positives=options.positives,
        missed=missed,
        latencies_ms=latencies,
        cpu_seconds=negatives.cpu_seconds + positives.cpu_seconds,
        scored_seconds=negatives.scored_seconds + positives.scored_seconds,
        generation_seconds=generation,
        by_condition=by_condition,
    )


def print_report(report: dict[str, object]) -> None:
    """The figures for a person."""
    out = sys.stdout
    out.write(
        f"Wake word {report['wake_word']} (threshold {report['threshold']}):\n"
        f"  false accepts: {report['false_accepts_per_hour']} per hour "
        f"over {report['negative_hours']} h of speech, music and noise without it\n"
        f"  false rejects: {report['false_reject_rate']} of {report['positives']} phrases at "
        f"{report['snr_db']} dB SNR (half at a distance)\n"
        f"  CPU: {report['cpu_share_of_core']} of one core\n"
        f"  end of the phrase → listening: median {report['wake_to_listening_ms_median']} ms "
        f"(p90 {report['wake_to_listening_ms_p90']} ms)\n"
    )
    by_condition = report["positives_by_condition"]
    assert isinstance(by_condition, dict)
    for condition, counts in sorted(by_condition.items()):
        out.write(f"    {condition:<12} {counts['heard']}/{counts['of']}\n")
