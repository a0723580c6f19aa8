"""WAV files as a microphone and a speaker: tests, `listen FILE` and the benches run the real pipeline on
recorded audio."""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from engine.audio.protocols import CAPTURE_RATE, FRAME_SAMPLES, AudioChunk
from engine.audio.resample import resample
from engine.cancel import CancelToken
from engine.errors import AudioFileError


def read_wav(path: Path) -> np.ndarray:
    """Decode an audio file to 16 kHz mono float32.

    Raises:
        AudioFileError: missing, unreadable or not audio.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"Audio file {path} does not exist.")
    from faster_whisper.audio import decode_audio

    try:
        audio = decode_audio(str(path), sampling_rate=CAPTURE_RATE)
    except (OSError, ValueError, RuntimeError) as error:
        raise AudioFileError(f"{path} is not a readable audio file ({error}).") from error
    except Exception as error:  # PyAV raises its own error classes (av.error.*); all mean "not audio"
        if type(error).__module__.startswith("av"):
            raise AudioFileError(f"{path} is not a readable audio file.") from error
        raise
    if audio.size == 0:
        raise AudioFileError(f"{path} holds no audio.")
    result: np.ndarray = audio.astype(np.float32, copy=False)
    return result


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write mono float32 samples as 16-bit PCM WAV."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    try:
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(sample_rate)
            out.writeframes(pcm.tobytes())
    except OSError as error:
        raise AudioFileError(f"Could not write {path}: {error.strerror or error}.") from error


class WavSource:
    """A recorded question played into the pipeline as if from a microphone."""

    def __init__(self, samples: np.ndarray, *, realtime: bool = False, pad_seconds: float = 0.0) -> None:
        """Args:
        samples: 16 kHz mono float32.
        realtime: pace frames at capture speed, as a microphone would deliver them.
        pad_seconds: silence appended so endpointing can see the end of a clip that stops abruptly.
        """
        pad = np.zeros(int(pad_seconds * CAPTURE_RATE), dtype=np.float32)
        self.samples = np.concatenate([samples.astype(np.float32), pad])
        self.realtime = realtime
        self.level = 0.0
        """A recording has no live level."""

    @classmethod
    def from_file(cls, path: Path, **kwargs: object) -> WavSource:
        """Read the file (any format PyAV decodes) and wrap it."""
        return cls(read_wav(path), **kwargs)  # type: ignore[arg-type]

    def frames(self, cancel: CancelToken | None = None) -> Iterator[np.ndarray]:
        """Yield FRAME_SAMPLES frames; the last one is zero-padded."""
        start = time.monotonic()
        total = len(self.samples)
        for index, offset in enumerate(range(0, total, FRAME_SAMPLES)):
            if cancel is not None and cancel.cancelled:
                return
            frame = self.samples[offset : offset + FRAME_SAMPLES]
            if len(frame) < FRAME_SAMPLES:
                frame = np.pad(frame, (0, FRAME_SAMPLES - len(frame)))
            if self.realtime:
                due = start + (index + 1) * FRAME_SAMPLES / CAPTURE_RATE
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            yield frame

    def stop_listening(self) -> None:
        """A recording ends by itself: nothing to cut short."""

    def close(self) -> None:
        """Nothing to release."""


class WavSink:
    """Collects the reply's audio for a WAV file. With ``realtime`` it behaves like a speaker: audio takes
    its duration to 'play', and ``flush`` keeps only what was heard so far."""

    def __init__(self, *, realtime: bool = False) -> None:
        self.realtime = realtime
        self.sample_rate: int | None = None
        self._chunks: list[np.ndarray] = []
        self._queued = 0.0
        self._clock_start: float | None = None
        self._clock_offset = 0.0
        self._flushed_at: float | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def play(self, chunk: AudioChunk) -> None:
        """Queue a chunk (its rate must match earlier chunks)."""
        with self._lock:
            if self.sample_rate is None:
                self.sample_rate = chunk.sample_rate
            elif chunk.sample_rate != self.sample_rate:
                raise ValueError("All chunks of one reply must share a sample rate")
            now = time.monotonic()
            if self._clock_start is None or self._heard(now) >= self._queued:
                # The speaker had run dry: playback of this chunk starts now.
                self._clock_offset = self._heard(now) if self._clock_start is not None else 0.0
                self._clock_start = now
                self._flushed_at = None  # a flush stopped the last reply, not the speaker
            self._chunks.append(chunk.samples)
            self._queued += chunk.seconds

    def _heard(self, now: float) -> float:
        if not self.realtime:
            return self._queued
        if self._clock_start is None:
            return 0.0
        end = self._flushed_at if self._flushed_at is not None else now
        return min(self._queued, self._clock_offset + (end - self._clock_start))

    @property
    def played_seconds(self) -> float:
        """Seconds of audio heard so far."""
        with self._lock:
            return self._heard(time.monotonic())

    def wait_done(self, cancel: CancelToken | None = None) -> None:
        """Sleep until the queued audio has 'played' (immediately when not realtime)."""
        while self.realtime:
            with self._lock:
                remaining = self._queued - self._heard(time.monotonic())
                if remaining <= 0 or self._flushed_at is not None:
                    return
            if cancel is not None and cancel.wait(min(remaining, 0.05)):
                return
            if cancel is None:
                time.sleep(min(remaining, 0.05))

    def flush(self) -> None:
        """Stop: keep only what was heard."""
        with self._lock:
            if self._flushed_at is not None:
                return
            heard = self._heard(time.monotonic())
            self._flushed_at = time.monotonic()
            if self.realtime and self.sample_rate:
                audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
                self._chunks = [audio[: int(heard * self.sample_rate)]]
                self._queued = heard

    def recent_playback(self, seconds: float) -> np.ndarray:
        """The last ``seconds`` before the current play position, at 16 kHz."""
        with self._lock:
            if not self._chunks or not self.sample_rate:
                return np.zeros(0, dtype=np.float32)
            audio = np.concatenate(self._chunks)
            end = int(self._heard(time.monotonic()) * self.sample_rate)
            start = max(0, end - int(seconds * self.sample_rate))
            return resample(audio[start:end], self.sample_rate, CAPTURE_RATE)

    def audio(self) -> np.ndarray:
        """Everything kept so far, concatenated."""
        with self._lock:
            return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.float32)

    def save(self, path: Path) -> None:
        """Write what was kept to a WAV file."""
        write_wav(path, self.audio(), self.sample_rate or 22_050)

    def close(self) -> None:
        """Nothing to release (the audio stays readable)."""
