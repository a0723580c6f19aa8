"""Audio in and out behind small interfaces, so every pipeline test can run from WAV files without a
sound card. Capture is 16 kHz mono float32 (what Whisper and Silero want); playback runs at the voice's rate."""

from __future__ import annotations

import logging
import threading
import time
import wave
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import soxr

from engine.cancel import CancelToken
from engine.errors import AudioDeviceError, AudioFileError, NoAudioDeviceError
from engine.pulse_devices import is_pulse_setting, list_pulse_devices, pulse_name, routed_to

log = logging.getLogger(__name__)

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


def _sounddevice() -> Any:
    """Import sounddevice, turning a missing PortAudio into a clear error."""
    try:
        import sounddevice
    except (OSError, ImportError) as error:
        raise AudioDeviceError(
            "The PortAudio library is missing, so Aris cannot use the microphone or speaker. "
            "Install it with: sudo apt-get install libportaudio2"
        ) from error
    return sounddevice


@dataclass(frozen=True)
class DeviceInfo:
    """An audio device as the settings dialog and `doctor` show it."""

    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: float


def list_devices() -> list[DeviceInfo]:
    """All audio devices PortAudio sees."""
    sd = _sounddevice()
    try:
        raw = sd.query_devices()
    except sd.PortAudioError as error:
        raise AudioDeviceError(f"Could not list audio devices: {error}.") from error
    return [
        DeviceInfo(i, d["name"], d["max_input_channels"], d["max_output_channels"], d["default_samplerate"])
        for i, d in enumerate(raw)
    ]


def rescan_devices() -> None:
    """Re-read the device list: PortAudio lists devices once, so a sound server started or a headset
    plugged in later stays invisible until this runs. Only call it while no stream is open."""
    sd = _sounddevice()
    sd._terminate()  # sounddevice's own re-initialisation pair; there is no public rescan
    sd._initialize()


def find_device(name: str | None, *, want_input: bool) -> int | None:
    """The index of the named device, or None for the system default.

    Raises:
        AudioDeviceError: there is no such device, or no device of that direction at all.
    """
    kind = "microphone" if want_input else "speaker"
    devices = [d for d in list_devices() if (d.inputs if want_input else d.outputs) > 0]
    if not devices:
        raise NoAudioDeviceError(
            f"No {kind} found. Connect one (or start PulseAudio/PipeWire) and run: python main.py doctor"
        )
    if name is None:
        return None
    if is_pulse_setting(name):
        return _pulse_route_index(name, devices, kind=kind, want_input=want_input)
    for device in devices:
        if device.name == name or str(device.index) == name:
            return device.index
    names = ", ".join(d.name for d in devices)
    raise AudioDeviceError(f"The {kind} '{name}' is not connected. Available: {names}.")


def _pulse_route_index(name: str, devices: list[DeviceInfo], *, kind: str, want_input: bool) -> int | None:
    """PortAudio's way into the sound server (its "pulse" ALSA device) for a ``pulse:`` setting; the device
    itself is chosen by :func:`engine.pulse_devices.routed_to` while the stream opens."""
    present = list_pulse_devices()
    if present is not None and not any(
        d.name == pulse_name(name) and d.is_input == want_input for d in present
    ):
        raise AudioDeviceError(f"The {kind} '{pulse_name(name)}' is not connected.")
    for device in devices:
        if device.name == "pulse":
            return device.index
    # Without ALSA's pulse plugin (libasound2-plugins) the default device may not read PULSE_SINK/SOURCE.
    log.warning("No 'pulse' audio device in PortAudio: the %s '%s' may fall back to the default", kind, name)
    for device in devices:
        if device.name == "default":
            return device.index
    return None


_CAPTURE_BLOCK = FRAME_SAMPLES
"""Samples per microphone callback (32 ms); frames are assembled from whatever blocks arrive."""
_BACKLOG_FRAMES = round(60 / (FRAME_SAMPLES / CAPTURE_RATE))
"""Frames kept for a reader that has not caught up (60 s); older ones are dropped, so an armed microphone
nobody reads cannot grow without bound."""


class MicrophoneSource:
    """The microphone, opened once for the session (opening takes 1-2 s, which would cut off the first
    words of every question) and read frame by frame while a turn listens."""

    def __init__(self, device: str | None = None) -> None:
        sd = _sounddevice()
        index = find_device(device, want_input=True)
        self._buffer: deque[np.ndarray | None] = deque(maxlen=_BACKLOG_FRAMES)
        """Captured frames the current reader has not taken yet; None marks push-to-talk's release."""
        self._arrived = threading.Condition()
        """Guards the buffer, the reader's generation and the armed flag; notified on every frame."""
        self._listening = threading.Event()
        self._armed = False
        """start_listening() was called and no reader has taken its frames yet."""
        self._ready = threading.Event()
        self._partial = np.zeros(0, dtype=np.float32)
        """Captured samples not yet a whole frame."""
        self._generation = 0
        """Which call of frames() is the current reader; older ones stop."""
        self._overflows = 0
        """Blocks the device dropped because this process did not take them in time."""
        self.level = 0.0
        """RMS of the latest frame, for the level meter."""
        try:
            # Whole-frame blocks: 16 ms blocks at low latency made frames 32 ms fresher, but with the
            # microphone open that way the speaker's stream on PulseAudio (through ALSA) lost whole
            # announcements (tests/ui/test_timer_rings_live.py: silence in half the runs).
            with routed_to(device, want_input=True):
                self._stream = sd.InputStream(
                    samplerate=CAPTURE_RATE,
                    channels=1,
                    dtype="float32",
                    blocksize=_CAPTURE_BLOCK,
                    device=index,
                    callback=self._on_audio,
                )
                self._stream.start()
        except sd.PortAudioError as error:
            raise AudioDeviceError(f"Could not open the microphone: {error}.") from error

    def _on_audio(self, indata: np.ndarray, _frames: int, _time: object, status: Any) -> None:
        self._ready.set()
        if status and status.input_overflow:
            self._overflows += 1
        self._partial = np.concatenate([self._partial, indata[:, 0]])
        while len(self._partial) >= FRAME_SAMPLES:
            frame, self._partial = self._partial[:FRAME_SAMPLES], self._partial[FRAME_SAMPLES:]
            self.level = float(np.sqrt(np.mean(frame**2)))
            if self._listening.is_set():
                with self._arrived:
                    self._buffer.append(frame)
                    self._arrived.notify_all()

    def start_listening(self) -> int:
        """Keep what the microphone hears from now on for the next ``frames()`` call; returns the arming,
        for :meth:`disarm`.

        Call it at the moment the user is told to speak (push-to-talk pressed, "speak now" printed): the
        turn's thread reaches ``frames()`` only after loading the VAD and waiting for the last turn to
        finish, which on a busy machine took long enough to clip "What" off "What is the capital of
        France?". A reader still running from the last turn (its barge-in monitor) stops without taking
        any of these frames."""
        with self._arrived:
            self._buffer.clear()
            self._armed = True
            self._generation += 1
            self._listening.set()
            self._arrived.notify_all()
            return self._generation

    def disarm(self, arming: int) -> None:
        """Forget ``arming`` if no reader took it (the turn failed before it listened), so the next reader,
        a reply's barge-in monitor, does not start on the old audio. A reader that took it, or a newer
        arming (the user pressed again), is left alone."""
        with self._arrived:
            if self._armed and self._generation == arming:
                self._armed = False
                self._buffer.clear()
                self._listening.clear()

    def frames(self, cancel: CancelToken | None = None) -> Iterator[np.ndarray]:
        """Frames from now (or from ``start_listening()``) until ``stop_listening`` or cancel."""
        with self._arrived:
            if self._armed:
                self._armed = False  # the frames since the arming are this reader's, release included
            else:
                self._buffer.clear()
                self._listening.set()
            self._generation += 1
            generation = self._generation
            overflows = self._overflows
        try:
            while True:
                with self._arrived:
                    while not self._buffer and generation == self._generation:
                        if (cancel is not None and cancel.cancelled) or not self._listening.is_set():
                            return
                        self._arrived.wait(0.1)
                    if generation != self._generation:
                        return  # a newer reader owns the frames from here on
                    frame = self._buffer.popleft()
                if frame is None:
                    return
                if cancel is not None and cancel.cancelled:
                    return
                yield frame
        finally:
            with self._arrived:
                # A reader that outlived its turn (a slow barge-in monitor) must not stop the current one.
                if generation == self._generation:
                    self._listening.clear()
            if self._overflows > overflows:
                log.warning(
                    "The microphone dropped %d blocks of audio: this process was too busy to take them",
                    self._overflows - overflows,
                )

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Block until the device delivers audio (1-2 s after opening); False if it never does."""
        return self._ready.wait(timeout)

    def stop_listening(self) -> None:
        """End the current question (push-to-talk released)."""
        with self._arrived:
            self._listening.clear()
            self._buffer.append(None)
            self._arrived.notify_all()

    def close(self) -> None:
        """Release the device."""
        with self._arrived:
            self._listening.clear()
            self._arrived.notify_all()
        self._stream.close()


_PLAYBACK_HISTORY_SECONDS = 2.0
"""How much of the speaker's output is kept as the echo reference for barge-in."""


class SpeakerSink:
    """Plays audio through sounddevice from a callback, so generation continues while the user listens."""

    def __init__(self, sample_rate: int, device: str | None = None) -> None:
        sd = _sounddevice()
        index = find_device(device, want_input=False)
        self.sample_rate = sample_rate
        self._lock = threading.Lock()
        self._buffer = np.zeros(0, dtype=np.float32)
        self._played = 0
        self._queued = 0
        self._history = np.zeros(0, dtype=np.float32)
        """What the device was given, at 16 kHz: the echo reference."""
        self._history_samples = int(_PLAYBACK_HISTORY_SECONDS * CAPTURE_RATE)
        self._output_count = 0
        """16 kHz samples added to the history since the sink opened."""
        # One stream for the whole output, so the reference has no seams every callback block.
        self._to_capture_rate = (
            soxr.ResampleStream(sample_rate, CAPTURE_RATE, 1, dtype="float32")
            if sample_rate != CAPTURE_RATE
            else None
        )
        self._paused = False
        self._idle = threading.Event()
        self._idle.set()
        try:
            with routed_to(device, want_input=False):
                self._stream = sd.OutputStream(
                    samplerate=sample_rate,
                    channels=1,
                    dtype="float32",
                    device=index,
                    callback=self._on_need_audio,
                )
                self._stream.start()
        except sd.PortAudioError as error:
            raise AudioDeviceError(f"Could not open the speaker: {error}.") from error

    def _on_need_audio(self, outdata: np.ndarray, frames: int, _time: object, _status: object) -> None:
        with self._lock:
            take = self._buffer[:0] if self._paused else self._buffer[:frames]
            self._buffer = self._buffer[len(take) :]
            self._played += len(take)
            # The history is what the device was given, silence included, so it stays aligned in time.
            block = np.concatenate([take, np.zeros(frames - len(take), dtype=np.float32)])
            if self._to_capture_rate is not None:
                block = self._to_capture_rate.resample_chunk(block)
            self._history = np.concatenate([self._history, block])[-self._history_samples :]
            self._output_count += len(block)
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
        """What the device was given after position ``cursor`` (silence included), at 16 kHz, and the new
        cursor: the echo canceller's reference, in step with the device. At a voice rate other than 16 kHz it
        trails the device by the resampler's filter delay (about 22 ms from 22,050 Hz), a constant the
        canceller's delay estimate absorbs like the device's own output latency."""
        with self._lock:
            count = min(self._output_count - cursor, len(self._history))
            tail = self._history[len(self._history) - count :] if count > 0 else self._history[:0]
            cursor = self._output_count
        return tail, cursor

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
            return self._history[len(self._history) - min(int(seconds * CAPTURE_RATE), len(self._history)) :]

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


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Band-limited resampling (libsoxr): sound above the lower rate's Nyquist frequency is filtered out
    instead of folding back as false tones, which the echo check would take for sound that was never played."""
    if from_rate == to_rate or len(samples) == 0:
        return samples
    resampled: np.ndarray = soxr.resample(samples.astype(np.float32, copy=False), from_rate, to_rate)
    return resampled.astype(np.float32, copy=False)
