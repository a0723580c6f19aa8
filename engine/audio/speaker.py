"""The speaker: playback from a callback while generation goes on, with the recent output kept as the echo
reference for barge-in."""

from __future__ import annotations

import threading

import numpy as np

from engine.audio.devices import open_stream
from engine.audio.protocols import CAPTURE_RATE, AudioChunk
from engine.audio.resample import resample
from engine.cancel import CancelToken

_PLAYBACK_HISTORY_SECONDS = 2.0
"""How much of the speaker's output is kept as the echo reference for barge-in."""


class SpeakerSink:
    """Plays audio through sounddevice from a callback, so generation continues while the user listens."""

    def __init__(self, sample_rate: int, device: str | None = None) -> None:
        self.sample_rate = sample_rate
        self._lock = threading.Lock()
        self._buffer = np.zeros(0, dtype=np.float32)
        self._played = 0
        self._queued = 0
        self._history = np.zeros(0, dtype=np.float32)
        self._history_samples = int(_PLAYBACK_HISTORY_SECONDS * sample_rate)
        self._output_count = 0
        self._paused = False
        self._idle = threading.Event()
        self._idle.set()
        self._stream = open_stream(
            device,
            want_input=False,
            samplerate=sample_rate,
            channels=1,
            dtype="float32",
            callback=self._on_need_audio,
        )

    def _on_need_audio(self, outdata: np.ndarray, frames: int, _time: object, _status: object) -> None:
        with self._lock:
            take = self._buffer[:0] if self._paused else self._buffer[:frames]
            self._buffer = self._buffer[len(take) :]
            self._played += len(take)
            # The history is what the device was given, silence included, so it stays aligned in time.
            block = np.concatenate([take, np.zeros(frames - len(take), dtype=np.float32)])
            self._history = np.concatenate([self._history, block])[-self._history_samples :]
            self._output_count += frames
            if len(self._buffer) == 0:
                self._idle.set()
        outdata[: len(take), 0] = take
        outdata[len(take) :, 0] = 0.0

    def pause(self) -> None:
        """Go silent at once but keep what is queued (the user may be starting to talk)."""
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        """Carry on after :meth:`pause` (it was not the user after all)."""
        with self._lock:
            self._paused = False

    def playback_since(self, cursor: int) -> tuple[np.ndarray, int]:
        """What the device was given after output position ``cursor`` (silence included), at 16 kHz, and
        the new cursor: the echo canceller's reference, in step with the device."""
        with self._lock:
            count = min(self._output_count - cursor, len(self._history))
            tail = self._history[len(self._history) - count :] if count > 0 else self._history[:0]
            cursor = self._output_count
        return resample(tail, self.sample_rate, CAPTURE_RATE), cursor

    def play(self, chunk: AudioChunk) -> None:
        """Queue a chunk."""
        samples = chunk.samples
        if chunk.sample_rate != self.sample_rate:
            samples = resample(samples, chunk.sample_rate, self.sample_rate)
        with self._lock:
            self._buffer = np.concatenate([self._buffer, samples.astype(np.float32)])
            self._queued += len(samples)
            self._idle.clear()

    def wait_done(self, cancel: CancelToken | None = None) -> None:
        """Block until the buffer has drained."""
        while not self._idle.wait(0.05):
            if cancel is not None and cancel.cancelled:
                return

    def flush(self) -> None:
        """Silence now."""
        with self._lock:
            self._buffer = np.zeros(0, dtype=np.float32)
            self._paused = False
            self._idle.set()

    def recent_playback(self, seconds: float) -> np.ndarray:
        """The last ``seconds`` handed to the device, at 16 kHz."""
        with self._lock:
            tail = self._history[-int(seconds * self.sample_rate) :]
        return resample(tail, self.sample_rate, CAPTURE_RATE)

    @property
    def played_seconds(self) -> float:
        """Seconds sent to the device since the sink opened."""
        with self._lock:
            return self._played / self.sample_rate

    def close(self) -> None:
        """Let the device play what it has buffered, then release it."""
        try:
            self._stream.stop()
        finally:
            self._stream.close()
