"""The microphone: one input stream for the session, read frame by frame while a turn listens."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from engine.audio.devices import open_stream
from engine.audio.protocols import CAPTURE_RATE, FRAME_SAMPLES
from engine.cancel import CancelToken

log = logging.getLogger(__name__)

_CAPTURE_BLOCK = FRAME_SAMPLES
"""Samples per microphone callback (32 ms); frames are assembled from whatever blocks arrive."""
_RECENT_FRAMES = round(2 / (FRAME_SAMPLES / CAPTURE_RATE))
"""Frames (2 s) kept whoever listens, so listening can start a little in the past (right after the wake
word, which the detector confirms ~100-250 ms after it was said)."""
_BACKLOG_FRAMES = round(60 / (FRAME_SAMPLES / CAPTURE_RATE))
"""Frames kept for a reader that has not caught up (60 s); older ones are dropped, so an armed microphone
nobody reads cannot grow without bound."""


class MicrophoneSource:
    """The microphone, opened once for the session (opening takes 1-2 s, which would cut off the first
    words of every question) and read frame by frame while a turn listens."""

    def __init__(self, device: str | None = None) -> None:
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
        self._taps: tuple[Callable[[np.ndarray, int], None], ...] = ()
        """Listeners given every captured frame and its index, whoever reads (the wake-word listener)."""
        self._captured = 0
        """Frames captured since the device opened: the index of the next one."""
        self._recent: deque[tuple[int, np.ndarray]] = deque(maxlen=_RECENT_FRAMES)
        # Whole-frame blocks: 16 ms blocks at low latency made frames 32 ms fresher, but with the
        # microphone open that way the speaker's stream on PulseAudio (through ALSA) lost whole
        # announcements (tests/ui/test_timer_rings_live.py: silence in half the runs).
        self._stream = open_stream(
            device,
            want_input=True,
            samplerate=CAPTURE_RATE,
            channels=1,
            dtype="float32",
            blocksize=_CAPTURE_BLOCK,
            callback=self._on_audio,
        )

    def _on_audio(self, indata: np.ndarray, _frames: int, _time: object, status: Any) -> None:
        self._ready.set()
        if status and status.input_overflow:
            self._overflows += 1
        self._partial = np.concatenate([self._partial, indata[:, 0]])
        while len(self._partial) >= FRAME_SAMPLES:
            frame, self._partial = self._partial[:FRAME_SAMPLES], self._partial[FRAME_SAMPLES:]
            self.level = float(np.sqrt(np.mean(frame**2)))
            with self._arrived:
                index = self._captured
                self._captured += 1
                self._recent.append((index, frame))
                if self._listening.is_set():
                    self._buffer.append(frame)
                    self._arrived.notify_all()
            for tap in self._taps:
                tap(frame, index)

    def add_tap(self, tap: Callable[[np.ndarray, int], None]) -> None:
        """Give ``tap`` every frame captured from now on with its index (for ``start_listening(since=)``),
        on the audio thread (it must only queue it): the wake word is listened for all the time, not only
        while a turn reads the microphone."""
        self._taps = (*self._taps, tap)

    def remove_tap(self, tap: Callable[[np.ndarray, int], None]) -> None:
        """Stop giving frames to ``tap``."""
        self._taps = tuple(t for t in self._taps if t != tap)  # bound methods compare equal, not identical

    def start_listening(self, since: int | None = None) -> int:
        """Keep what the microphone hears from now on (or from frame index ``since``, at most 2 s back) for
        the next ``frames()`` call; returns the arming, for :meth:`disarm`.

        Call it at the moment the user is told to speak (push-to-talk pressed, "speak now" printed): the
        turn's thread reaches ``frames()`` only after loading the VAD and waiting for the last turn to
        finish, which on a busy machine took long enough to clip "What" off "What is the capital of
        France?". A reader still running from the last turn (its barge-in monitor) stops without taking
        any of these frames."""
        with self._arrived:
            self._buffer.clear()
            if since is not None:
                self._buffer.extend(frame for index, frame in self._recent if index >= since)
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
