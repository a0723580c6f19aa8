"""How the desktop opens audio: the real devices from the settings, or a WAV file standing in for the
microphone (tests, screenshots, demos). Plain Python, no Qt: the bridge calls these from worker threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.audio import AudioChunk, AudioSink, AudioSource, MicrophoneSource, SpeakerSink, WavSource
from engine.cancel import CancelToken


class MeteredSource:
    """Wraps a source that has no level of its own (a WAV file) so the level meter still moves."""

    def __init__(self, inner: AudioSource) -> None:
        self.inner = inner
        self.level = 0.0
        """RMS of the latest frame handed out."""

    def frames(self, cancel: CancelToken | None = None) -> Iterator[np.ndarray]:
        """The inner source's frames, metering each one."""
        try:
            for frame in self.inner.frames(cancel):
                self.level = float(np.sqrt(np.mean(frame**2)))
                yield frame
        finally:
            self.level = 0.0

    def stop_listening(self) -> None:
        """A file ends by itself; releasing push-to-talk has nothing to cut short."""
        self.inner.stop_listening()

    def close(self) -> None:
        """Release the inner source."""
        self.inner.close()


class GatedSink:
    """A speaker that can be paused by the user: while paused, speech is dropped (the text still shows)."""

    def __init__(self, inner: AudioSink) -> None:
        self.inner = inner
        self._paused = threading.Event()

    @property
    def paused(self) -> bool:
        """True while the user paused speaking."""
        return self._paused.is_set()

    def set_paused(self, paused: bool) -> None:
        """Pause (silence now, drop what comes) or resume speaking."""
        if paused:
            self._paused.set()
            self.inner.flush()
        else:
            self._paused.clear()

    def play(self, chunk: AudioChunk) -> None:
        """Forward the chunk unless paused."""
        if not self._paused.is_set():
            self.inner.play(chunk)

    def wait_done(self, cancel: CancelToken | None = None) -> None:
        """Wait for playback to drain."""
        self.inner.wait_done(cancel)

    def flush(self) -> None:
        """Stop at once."""
        self.inner.flush()

    @property
    def played_seconds(self) -> float:
        """What the user heard so far."""
        return self.inner.played_seconds

    def recent_playback(self, seconds: float) -> np.ndarray:
        """What was just played, as barge-in's echo reference."""
        return self.inner.recent_playback(seconds)

    def close(self) -> None:
        """Release the device, if the inner sink holds one."""
        self.inner.close()


@dataclass(frozen=True)
class AudioOpeners:
    """Opens the microphone and the speaker (each may raise AudioDeviceError)."""

    open_source: Callable[[], AudioSource]
    open_sink: Callable[[int], AudioSink]
    """Takes the voice's sample rate."""
    for_devices: Callable[[str | None, str | None], AudioOpeners] | None = None
    """The same kind of openers on other devices (input, output); None where devices cannot be chosen (a
    WAV file as the microphone)."""


def device_openers(input_device: str | None, output_device: str | None) -> AudioOpeners:
    """The real microphone and speaker named in the settings (None: the system default)."""
    return AudioOpeners(
        open_source=lambda: MicrophoneSource(input_device),
        open_sink=lambda rate: SpeakerSink(rate, output_device),
        for_devices=device_openers,
    )


def wav_mic_openers(wav: Path, output_device: str | None = None, *, speak: bool = False) -> AudioOpeners:
    """A WAV file as the microphone (played in real time on every listen); the speaker is the real one
    only when ``speak`` is set, otherwise a silent real-time sink, so runs without a sound card work."""
    from engine.audio import WavSink, read_wav

    samples = read_wav(wav)

    def open_sink(rate: int) -> AudioSink:
        return SpeakerSink(rate, output_device) if speak else WavSink(realtime=True)

    return AudioOpeners(
        open_source=lambda: MeteredSource(WavSource(samples, realtime=True, pad_seconds=1.0)),
        open_sink=open_sink,
    )
