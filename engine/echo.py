"""Echo cancellation with WebRTC's audio processing module (from the ``livekit`` wheel), so the barge-in
detector hears the user and not Aris's own voice coming back from the speakers.

WebRTC's canceller tracks the speaker-to-microphone delay and drift itself; it wants 10 ms frames of int16,
the playback ("reverse stream") fed as it is played and the microphone fed as it is captured."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from engine.audio import CAPTURE_RATE

log = logging.getLogger(__name__)

_CHUNK = CAPTURE_RATE // 100
"""10 ms: the only frame size the module accepts."""


def _pcm(samples: np.ndarray) -> bytes:
    pcm: bytes = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    return pcm


class EchoCanceller:
    """Removes the playback from microphone frames of any length (re-cut into 10 ms frames inside)."""

    def __init__(self) -> None:
        from livekit import rtc

        self._rtc = rtc
        self._module = rtc.AudioProcessingModule(
            echo_cancellation=True, noise_suppression=False, high_pass_filter=True
        )
        self._reverse = np.zeros(0, dtype=np.float32)
        self._capture = np.zeros(0, dtype=np.float32)
        # One chunk of look-behind so any frame length can be returned at once.
        self._cleaned = np.zeros(_CHUNK, dtype=np.float32)

    @staticmethod
    def available() -> bool:
        """Whether the livekit wheel is installed (it is a pinned dependency; absent only in odd installs)."""
        try:
            from livekit import rtc  # noqa: F401
        except ImportError:
            return False
        return True

    def played(self, samples: np.ndarray) -> None:
        """Audio the speaker has just been given, 16 kHz."""
        self._reverse = np.concatenate([self._reverse, samples.astype(np.float32)])
        while len(self._reverse) >= _CHUNK:
            frame = self._frame(self._reverse[:_CHUNK])
            self._module.process_reverse_stream(frame)
            self._reverse = self._reverse[_CHUNK:]

    def clean(self, frame: np.ndarray) -> np.ndarray:
        """The microphone frame with the echo of what was played removed (same length, 10 ms later)."""
        self._capture = np.concatenate([self._capture, frame.astype(np.float32)])
        cleaned = [self._cleaned]
        while len(self._capture) >= _CHUNK:
            chunk = self._frame(self._capture[:_CHUNK])
            self._module.process_stream(chunk)
            cleaned.append(np.frombuffer(chunk.data, dtype="<i2").astype(np.float32) / 32768.0)
            self._capture = self._capture[_CHUNK:]
        available = np.concatenate(cleaned)
        self._cleaned = available[len(frame) :]
        return available[: len(frame)]

    def _frame(self, samples: np.ndarray) -> Any:  # a livekit rtc.AudioFrame
        return self._rtc.AudioFrame(_pcm(samples), CAPTURE_RATE, 1, _CHUNK)
