"""Barge-in decisions on recorded audio: the microphone and the echo reference as the monitor read them in
the private sound room (tests/engine/record_echo_fixtures.py), replayed frame by frame. Aris's own voice leaking
back (directly, or through a resampling sink with its own clock) never stops the answer; the user's
"Stop." over it does, within a few frames."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from engine.audio import CAPTURE_RATE, FRAME_SAMPLES, read_wav
from engine.bargein import BargeInMonitor
from engine.cancel import CancelToken

RECORDINGS = Path(__file__).parent / "recordings"
STOP_AT_S = 2.0
"""Where the user's words are mixed into the recording."""


class RecordedRoom:
    """A recording's microphone (an AudioSource) and echo reference (a sink's playback), advancing together
    one frame at a time, as fast as the monitor reads them."""

    def __init__(self, played: np.ndarray, mic: np.ndarray) -> None:
        self.played = played
        self.mic = mic
        self.position = 0
        """Samples of microphone (and playback) delivered so far."""
        self.level = 0.0
        self.pauses: list[int] = []
        self.cancelled_at: int | None = None
        self.finished = threading.Event()

    def frames(self, cancel: CancelToken | None = None) -> Iterator[np.ndarray]:
        try:
            for offset in range(0, len(self.mic) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
                if cancel is not None and cancel.cancelled:
                    return
                self.position = offset + FRAME_SAMPLES
                yield self.mic[offset : offset + FRAME_SAMPLES]
        finally:
            self.finished.set()

    def stop_listening(self) -> None:
        """Nothing to stop: the recording ends by itself."""

    def close(self) -> None:
        """Nothing to release."""

    def recent_playback(self, seconds: float) -> np.ndarray:
        return self.played[max(0, self.position - int(seconds * CAPTURE_RATE)) : self.position]

    def playback_since(self, cursor: int) -> tuple[np.ndarray, int]:
        return self.played[cursor : self.position], self.position

    def pause(self) -> None:
        self.pauses.append(self.position)

    def resume(self) -> None:
        """The playback carries on (it is a recording: nothing to do)."""


def _echo(name: str) -> tuple[np.ndarray, np.ndarray]:
    played, mic = decode_audio(
        str(RECORDINGS / f"{name}.flac"), sampling_rate=CAPTURE_RATE, split_stereo=True
    )
    return played.astype(np.float32), mic.astype(np.float32)


def _replay(played: np.ndarray, mic: np.ndarray) -> tuple[RecordedRoom, CancelToken]:
    room = RecordedRoom(played, mic)
    turn = CancelToken()
    turn.on_cancel(lambda: setattr(room, "cancelled_at", room.position))
    monitor = BargeInMonitor(room)
    monitor.start(turn, room)
    assert room.finished.wait(60.0) or turn.wait(60.0)
    monitor.stop()
    return room, turn


def _with_stop(mic: np.ndarray) -> tuple[np.ndarray, int]:
    """The microphone with the user's words added at STOP_AT_S; returns it and the sample they begin at."""
    stop = read_wav(RECORDINGS / "stop.flac")
    at = int(STOP_AT_S * CAPTURE_RATE)
    mixed = mic.copy()
    mixed[at : at + len(stop)] += stop[: len(mixed) - at]
    onset = at + int(np.nonzero(np.abs(stop) > 0.004)[0][0])
    return mixed, onset


def _ms(samples: int) -> float:
    return samples * 1000 / CAPTURE_RATE


@pytest.mark.parametrize("path", ["echo_direct", "echo_resampled"])
def test_our_own_echo_alone_never_stops_the_answer(path: str) -> None:
    played, mic = _echo(path)
    room, turn = _replay(played, mic)
    assert not turn.cancelled, f"Aris stopped itself on its own echo at {_ms(room.cancelled_at or 0):.0f} ms"
    assert room.position >= len(mic) - FRAME_SAMPLES  # the whole recording was heard


@pytest.mark.parametrize("path", ["none", "echo_direct", "echo_resampled"])
def test_the_user_saying_stop_over_the_echo_stops_the_answer_within_a_few_frames(path: str) -> None:
    played, mic = _echo("echo_direct" if path == "none" else path)
    if path == "none":
        mic = np.zeros_like(mic)  # headphones: the microphone hears only the user
    mixed, onset = _with_stop(mic)
    room, turn = _replay(played, mixed)
    assert turn.cancelled and turn.reason == "barge_in"
    assert room.cancelled_at is not None and room.cancelled_at > onset, "stopped before the user spoke"
    silent = min([p for p in room.pauses if p > onset] + [room.cancelled_at])
    assert _ms(silent - onset) <= 200, (
        f"the answer went silent {_ms(silent - onset):.0f} ms after the user spoke"
    )
    assert _ms(room.cancelled_at - onset) <= 400, "the interruption was confirmed too late"


def test_a_sound_over_silence_pauses_the_answer_at_once() -> None:
    """With no echo at all (headphones) the user's first syllable is enough to go quiet."""
    played, mic = _echo("echo_direct")
    mixed, onset = _with_stop(np.zeros_like(mic))
    room, _turn = _replay(played, mixed)
    assert room.pauses and onset < room.pauses[0] <= onset + 2 * FRAME_SAMPLES
