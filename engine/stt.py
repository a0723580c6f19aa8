"""Speech recognition with faster-whisper (CTranslate2)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from engine.audio import CAPTURE_RATE
from engine.errors import TranscriptionError

log = logging.getLogger(__name__)


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
        from faster_whisper import WhisperModel

        self.beam_size = beam_size
        self.language = language
        try:
            self._model = WhisperModel(
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
        try:
            segments, _info = self._model.transcribe(
                audio.astype(np.float32, copy=False),
                language=self.language,
                beam_size=self.beam_size,
                vad_filter=skip_silence,
                condition_on_previous_text=False,
                without_timestamps=True,
            )
            segments = list(segments)
            text = " ".join(segment.text.strip() for segment in segments).strip()
        except (RuntimeError, ValueError) as error:
            log.exception("Transcription failed")
            raise TranscriptionError(f"Speech recognition failed: {error}") from error
        return Transcript(
            text=text,
            audio_seconds=len(audio) / CAPTURE_RATE,
            processing_seconds=time.monotonic() - started,
            avg_logprob=min((segment.avg_logprob for segment in segments), default=0.0),
            no_speech_prob=max((segment.no_speech_prob for segment in segments), default=0.0),
        )
