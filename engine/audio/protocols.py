"""What every audio stage speaks: 16 kHz mono float32 frames, chunks with their rate, and the source and
sink protocols that let every pipeline test run from WAV files without a sound card."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from engine.cancel import CancelToken

CAPTURE_RATE = 16_000
"""Samples per second of everything the engine listens to."""
FRAME_SAMPLES = 512
"""32 ms at 16 kHz: the window Silero VAD scores."""


@dataclass(frozen=True)
class AudioChunk:
    """Mono float32 samples in [-1, 1] at ``sample_rate``."""

    samples: np.ndarray
    sample_rate: int

    @property
    def seconds(self) -> float:
        """Duration of the chunk."""
        return len(self.samples) / self.sample_rate


def trim_leading_silence(
    chunk: AudioChunk, threshold: float = 0.003, keep_seconds: float = 0.01
) -> AudioChunk:
    """``chunk`` without the quiet before its first sound, keeping ``keep_seconds`` of it.

    piper starts a sentence with 25-400 ms of near silence; at the start of a reply that is pure wait
    for the user, so the first chunk goes out without it (pauses between sentences keep theirs)."""
    window = max(1, chunk.sample_rate // 200)  # 5 ms
    count = len(chunk.samples) // window
    if count == 0:
        return chunk
    frames = chunk.samples[: count * window].reshape(count, window).astype(np.float64)
    loud = np.nonzero(np.sqrt(np.mean(frames**2, axis=1)) > threshold)[0]
    if len(loud) == 0:
        return chunk
    start = max(0, int(loud[0]) * window - int(keep_seconds * chunk.sample_rate))
    return chunk if start == 0 else AudioChunk(chunk.samples[start:], chunk.sample_rate)


class AudioSource(Protocol):
    """Yields 16 kHz mono float32 frames of FRAME_SAMPLES until the input ends or the turn is cancelled."""

    @property
    def level(self) -> float:
        """RMS of the latest frame, for a level meter (0 when nothing is being captured)."""
        ...

    def frames(self, cancel: CancelToken | None = None) -> Iterator[np.ndarray]:
        """The captured audio, frame by frame."""
        ...

    def stop_listening(self) -> None:
        """End the current question now (push-to-talk released); a recording ends by itself."""
        ...

    def close(self) -> None:
        """Release the device, if there is one."""
        ...


class AudioSink(Protocol):
    """Plays synthesized speech; ``play`` never blocks on playback."""

    def play(self, chunk: AudioChunk) -> None:
        """Queue a chunk behind what is already playing."""
        ...

    def wait_done(self, cancel: CancelToken | None = None) -> None:
        """Block until everything queued has been played, or the turn is cancelled."""
        ...

    def flush(self) -> None:
        """Stop at once and drop what is queued (barge-in, stop)."""
        ...

    @property
    def played_seconds(self) -> float:
        """How much of what was queued has actually been heard."""
        ...

    def recent_playback(self, seconds: float) -> np.ndarray:
        """The last ``seconds`` of audio actually played, at 16 kHz (the echo reference for barge-in)."""
        ...

    def close(self) -> None:
        """Release the device, if there is one."""
        ...
