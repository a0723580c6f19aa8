"""Speech recognition with faster-whisper (CTranslate2)."""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from engine.audio import CAPTURE_RATE
from engine.errors import TranscriptionError

log = logging.getLogger(__name__)

FULL_WINDOW_SECONDS = 30.0
"""Whisper's own window: faster-whisper pads every clip's features to it before the encoder."""
MIN_WINDOW_SECONDS = 21.0
"""The shortest encoder window (see _window_frames). `python main.py bench stt` on 165 endpointed clips (55
sentences in two espeak-ng speeds and the piper voice), quiet machine: WER 0.109 at 21 s with the lead
silence against 0.117 for Whisper's whole 30 s (0.128 without the lead silence, as it was), 288 vs 428 ms
median. On a shared machine 20 s, 21 s and 22 s gave 0.112, 0.109 and 0.105, within a few clips of each
other; 21 s alone also heard the voice bench's five questions without an error (20 s and 22 s heard "Romeo
and Juliet" as "role and do it" once)."""
WINDOW_MARGIN_SECONDS = 5.0
"""Silence kept after the clip inside the window: with only ~1 s, tiny.en repeated short questions
("What is my sister called? What is my sister called?")."""
_FRAMES_PER_SECOND = 100
LEAD_SILENCE_SECONDS = 0.3
"""Silence put before every clip: a clip that starts on its first sound (an endpointed question whose
pre-roll found no silence, a file that starts at once) lost or changed its first word ("Set a timer for
ten minutes" heard as "Center timer…" with the 30 s window and "a timer…" with a 20 s one); with 0.2 s or
more before it, every window heard it."""


@dataclass(frozen=True)
class Transcript:
    """What was said, and what it cost to find out."""

    text: str
    audio_seconds: float
    processing_seconds: float
    avg_logprob: float = 0.0
    """The least sure segment's average token log-probability (Whisper's own measure; 0 is certain)."""
    no_speech_prob: float = 0.0
    """The highest probability, over segments, that there was no speech at all."""

    def unsure(self, min_logprob: float = -1.0, max_no_speech: float = 0.6) -> bool:
        """Whether the recogniser doubted what it heard (faster-whisper's own thresholds by default): fine
        to answer, not to learn from."""
        return self.avg_logprob < min_logprob or self.no_speech_prob > max_no_speech

    @property
    def real_time_factor(self) -> float:
        """Processing time per second of audio; below 1 is faster than real time."""
        return self.processing_seconds / self.audio_seconds if self.audio_seconds else 0.0


class Transcriber(Protocol):
    """Turns 16 kHz mono audio into text."""

    def transcribe(self, audio: np.ndarray) -> Transcript:
        """Recognise the speech in ``audio``."""
        ...


def _window_frames(audio_seconds: float, min_seconds: float = MIN_WINDOW_SECONDS) -> int | None:
    """Mel frames the encoder sees for a clip this long, or None for Whisper's full 30 s window.

    The encoder's cost grows faster than its window (tiny.en, int8, two cores: 273 ms for 30 s, 101 ms
    for 22 s, 85 ms for 20 s), and CTranslate2 accepts a shorter one than 30 s; a window only ~1 s longer
    than the clip made tiny.en repeat itself, hence the margin."""
    seconds = max(min_seconds, audio_seconds + WINDOW_MARGIN_SECONDS)
    if seconds >= FULL_WINDOW_SECONDS:
        return None
    return math.ceil(seconds) * _FRAMES_PER_SECOND


def _short_window_model(model_dir: str, **options: Any) -> Any:
    """A faster-whisper WhisperModel whose encoder sees only the current clip's window (set per thread)."""
    from faster_whisper import WhisperModel

    class ShortWindowWhisper(WhisperModel):  # type: ignore[misc]
        """Trims the 30 s of padded features to the window before they reach the encoder."""

        def __init__(self) -> None:
            super().__init__(model_dir, **options)
            self.window = threading.local()

        def encode(self, features: Any) -> Any:
            frames = getattr(self.window, "frames", None)
            if frames is not None and features.shape[-1] > frames:
                features = np.ascontiguousarray(features[..., :frames])
            return super().encode(features)

    return ShortWindowWhisper()


class WhisperTranscriber:
    """A faster-whisper model loaded once."""

    def __init__(
        self,
        model_dir: str,
        *,
        threads: int = 2,
        compute_type: str = "int8",
        beam_size: int = 5,
        language: str | None = "en",
    ) -> None:
        """Load the CTranslate2 model.

        Args:
            model_dir: folder with model.bin, config.json, tokenizer.json, vocabulary.txt.
            threads: CPU threads; the physical core count is fastest.
            compute_type: int8 is ~2x faster than float32 on CPUs at equal accuracy for tiny models.
            beam_size: 5 costs ~50 ms more than greedy on a 3 s question but gets names right ("Alice"
                where greedy heard "a Miss Alice"), which a memory assistant needs.
            language: ISO 639-1 code of the speech, or None to detect it. Detection on a short question is
                unreliable (a Russian request comes out as Ukrainian or English), so the settings fix it.

        Raises:
            TranscriptionError: the model folder could not be loaded.
        """
        self.beam_size = beam_size
        self.language = language
        self.min_window_seconds = MIN_WINDOW_SECONDS
        """The shortest encoder window (`bench stt` compares it with Whisper's whole 30 s)."""
        self.lead_silence_seconds = LEAD_SILENCE_SECONDS
        """Silence put before each clip (see LEAD_SILENCE_SECONDS)."""
        try:
            self._model = _short_window_model(
                model_dir, device="cpu", compute_type=compute_type, cpu_threads=threads
            )
        except (RuntimeError, ValueError, OSError) as error:
            log.exception("Loading Whisper from %s failed", model_dir)
            raise TranscriptionError(
                f"Could not load the speech-recognition model in {model_dir}: the files are damaged."
            ) from error

    def transcribe(self, audio: np.ndarray, *, skip_silence: bool = False) -> Transcript:
        """Transcribe speech in the configured language.

        faster-whisper returns a lazy generator that does the work as it is iterated, so the segments are
        joined here, inside the caller's worker thread, never on a GUI thread.

        Args:
            audio: 16 kHz mono float32.
            skip_silence: run Silero VAD first (long files with pauses); endpointed questions don't need it.
        """
        started = time.monotonic()
        audio_seconds = len(audio) / CAPTURE_RATE
        lead = np.zeros(round(self.lead_silence_seconds * CAPTURE_RATE), np.float32)
        audio = np.concatenate([lead, audio.astype(np.float32, copy=False)])
        # A clip that fits one window is encoded over its own window, not 30 s (see _window_frames);
        # the window is per thread, as speculation and a fresh transcription may overlap.
        window = _window_frames(len(audio) / CAPTURE_RATE, self.min_window_seconds)
        self._model.window.frames = None if skip_silence else window
        try:
            segments, _info = self._model.transcribe(
                audio,
                language=self.language,
                beam_size=self.beam_size,
                vad_filter=skip_silence,
                condition_on_previous_text=False,
                without_timestamps=True,
            )
            segments = list(segments)
            text = " ".join(segment.text.strip() for segment in segments).strip()
            if not any(character.isalnum() for character in text):
                text = ""  # "." or "...": silence or noise (heard so with a short window), not words
        except (RuntimeError, ValueError) as error:
            log.exception("Transcription failed")
            raise TranscriptionError(f"Speech recognition failed: {error}") from error
        finally:
            self._model.window.frames = None
        return Transcript(
            text=text,
            audio_seconds=audio_seconds,
            processing_seconds=time.monotonic() - started,
            avg_logprob=min((segment.avg_logprob for segment in segments), default=0.0),
            no_speech_prob=max((segment.no_speech_prob for segment in segments), default=0.0),
        )
