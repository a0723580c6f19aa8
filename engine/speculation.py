"""Speculative transcription: Whisper starts on the question while the speaker pauses.

Whisper encodes a fixed window however short the question (21 s here, see engine/stt.py), so a short question
costs ≈0.3 s on two cores; that wait is the largest part of the time to first audio. The pause
before the push-to-talk key is released, or the endpointing silence in hands-free mode, is long enough
to hide it. A speculation is used only for exactly the audio the question ended with; if the speaker
went on talking, it is dropped."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor

import numpy as np

from engine.errors import EngineError
from engine.stt import Transcriber, Transcript

log = logging.getLogger(__name__)


class EarlyTranscriber:
    """A Transcriber that answers at once for audio it was offered earlier (its transcription ran in the
    background), and transcribes anything else as usual."""

    def __init__(self, transcriber: Transcriber) -> None:
        self.inner = transcriber
        self._lock = threading.Lock()
        self._pending: tuple[np.ndarray, Future[Transcript]] | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aris-early-stt")
        self.hits = 0
        """Questions whose transcript was ready (or running) when they ended."""
        self.misses = 0
        """Questions transcribed only after they ended (no pause, or the speaker went on)."""

    def offer(self, audio: np.ndarray) -> Future[Transcript]:
        """Start transcribing ``audio`` (the question so far) in the background; replaces an older offer.
        Returns the transcription to come (for the reply's head start)."""
        audio = audio.copy()
        future = self._worker.submit(self.inner.transcribe, audio)
        with self._lock:
            if self._pending is not None:
                self._pending[1].cancel()  # not started yet: skip it; running: its result is ignored
            self._pending = (audio, future)
        log.debug("Speculative transcription of %.2f s started", len(audio) / 16_000)
        return future

    def discard(self) -> None:
        """Forget the offer (the turn was cancelled)."""
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            pending[1].cancel()

    def transcribe(self, audio: np.ndarray) -> Transcript:
        """The offered transcript if ``audio`` is what was offered (waiting for it if still running);
        otherwise a fresh transcription."""
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            offered, future = pending
            if offered.shape == audio.shape and np.array_equal(offered, audio):
                try:
                    transcript = future.result()
                except (CancelledError, EngineError):
                    log.debug("Speculative transcription failed; transcribing again", exc_info=True)
                else:
                    self.hits += 1
                    return transcript
            else:
                future.cancel()
        self.misses += 1
        return self.inner.transcribe(audio)

    def close(self) -> None:
        """Stop the background thread (waiting for a running transcription to finish)."""
        self.discard()
        self._worker.shutdown(wait=True, cancel_futures=True)
