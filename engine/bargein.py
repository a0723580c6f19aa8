"""Barge-in: the user speaking while Aris talks stops the answer.

On laptop speakers the microphone hears Aris's own voice, and a plain VAD would make the assistant interrupt
itself (GLaDOS #38, #86). So speech heard while speaking is compared with what was just played: if the
microphone signal correlates with the playback at some small delay, it is our own echo and is ignored."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from engine.audio import CAPTURE_RATE, AudioSource
from engine.cancel import CancelToken
from engine.vad import FRAME_SECONDS, StreamingVad

log = logging.getLogger(__name__)


class PlaybackReference(Protocol):
    """A sink that can say what it has just played."""

    def recent_playback(self, seconds: float) -> np.ndarray:
        """The last ``seconds`` of audio actually played, at 16 kHz, ending now."""
        ...


@dataclass(frozen=True)
class BargeInSettings:
    """When speech during playback counts as the user interrupting."""

    min_speech_ms: int = 192
    """Speech must last this long (six 32 ms frames): a cough or a click does not stop the answer."""
    threshold: float = 0.5
    """Silero speech probability for a frame to count as speech."""
    echo_correlation: float = 0.35
    """Peak normalised cross-correlation with the playback above which the speech is our own echo."""
    echo_max_delay_ms: int = 400
    """Longest speaker-to-microphone delay searched for echo (device buffers plus the room)."""


@dataclass(frozen=True)
class BargeIn:
    """What the monitor saw when it stopped the answer."""

    detected_at: float
    """time.monotonic() when the interruption was confirmed and the turn cancelled."""
    echo_correlation: float


def echo_correlation(heard: np.ndarray, played: np.ndarray) -> float:
    """Peak normalised cross-correlation of ``heard`` against every alignment inside ``played``.

    1.0 means the microphone heard exactly (a scaled copy of) the playback; unrelated speech scores near 0.
    ``played`` must be at least as long as ``heard``; computed with FFTs so it costs ~1 ms per check."""
    n = len(heard)
    if n == 0 or len(played) < n:
        return 0.0
    heard = heard - heard.mean()
    heard_norm = float(np.linalg.norm(heard))
    if heard_norm < 1e-6:
        return 0.0
    size = 1 << int(np.ceil(np.log2(len(played) + n)))
    spectrum = np.fft.rfft(played, size) * np.conj(np.fft.rfft(heard, size))
    dots = np.fft.irfft(spectrum, size)[: len(played) - n + 1]
    energy = np.concatenate([[0.0], np.cumsum(played.astype(np.float64) ** 2)])
    window_norms = np.sqrt(np.maximum(energy[n:] - energy[:-n], 1e-12))
    return float(np.max(np.abs(dots) / (window_norms * heard_norm)))


class BargeInMonitor:
    """Listens on the microphone while the assistant speaks and cancels the turn when the user talks.

    ``start`` is called at the first audio of a reply and ``stop`` when the turn ends; the listening runs in
    its own thread so detection never waits on synthesis or generation."""

    def __init__(
        self,
        source: AudioSource,
        settings: BargeInSettings | None = None,
        vad_factory: Callable[[], StreamingVad] = StreamingVad,
    ) -> None:
        self.source = source
        self.settings = settings or BargeInSettings()
        self._vad = vad_factory()
        self._thread: threading.Thread | None = None
        self._stop = CancelToken()
        self.last: BargeIn | None = None
        """The most recent interruption, for timings and tests."""
        self.echoes_ignored = 0

    def start(self, turn: CancelToken, reference: PlaybackReference) -> None:
        """Begin watching for the user talking over ``reference``'s playback; cancels ``turn`` if so."""
        self.stop()
        self._stop = CancelToken()
        self._vad.reset()
        self._thread = threading.Thread(
            target=self._watch, args=(turn, reference, self._stop), name="aris-barge-in", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (the turn ended)."""
        self._stop.cancel("turn over")
        if self._thread is None:
            return
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)
        self._thread = None
        log.info("Barge-in monitor stopped; it ignored our own voice %d times", self.echoes_ignored)

    def _watch(self, turn: CancelToken, reference: PlaybackReference, stop: CancelToken) -> None:
        settings = self.settings
        needed = max(1, round(settings.min_speech_ms / 1000 / FRAME_SECONDS))
        recent: deque[np.ndarray] = deque(maxlen=needed)
        speech_frames = 0
        started = time.monotonic()
        try:
            for count, frame in enumerate(self.source.frames(stop), start=1):
                if turn.cancelled or stop.cancelled:
                    return
                recent.append(frame)
                if self._vad.probability(frame) < settings.threshold:
                    speech_frames = 0
                    continue
                speech_frames += 1
                if speech_frames < needed:
                    continue
                heard = np.concatenate(recent)
                # A busy machine reads microphone frames late; look that much further back for the echo.
                backlog = min(max(0.0, time.monotonic() - started - count * FRAME_SECONDS), 1.5)
                window = len(heard) / CAPTURE_RATE + settings.echo_max_delay_ms / 1000 + backlog
                correlation = echo_correlation(heard, reference.recent_playback(window))
                if correlation >= settings.echo_correlation:
                    self.echoes_ignored += 1
                    log.debug("Speech during playback is our own echo (correlation %.2f)", correlation)
                    speech_frames = needed // 2  # look again soon, over a partly new window
                    continue
                self.last = BargeIn(time.monotonic(), correlation)
                log.info("Barge-in: the user spoke (echo correlation %.2f); stopping the answer", correlation)
                turn.cancel("barge_in")
                return
        except Exception:  # the monitor must never take the turn down with it
            log.exception("Barge-in monitor failed; the answer continues without it")
