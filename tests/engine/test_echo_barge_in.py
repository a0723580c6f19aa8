"""Barge-in with Aris's own voice leaking into the microphone, through a private PulseAudio room: the leak
(direct, or through a 44.1 kHz sink with its own clock) never stops the answer; "Stop." over it does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.bench.live.room import VirtualRoom
from app.soundserver import PrivateSoundServer
from engine.audio import AudioChunk, MicrophoneSource, SpeakerSink, read_wav, resample
from engine.bargein import BargeInMonitor
from engine.cancel import CancelToken
from engine.echo import EchoCanceller
from engine.tts import synthesize_all
from tests.conftest import speak

REPLY = (
    "Rome was founded, according to legend, in seven hundred and fifty three before Christ by Romulus and "
    "Remus. It grew from a small town on the Tiber into an empire that ruled the Mediterranean for centuries."
)


@pytest.fixture(scope="module")
def reply(factory) -> AudioChunk:
    """A long answer in Aris's own voice."""
    audio, _seconds = synthesize_all(factory.synthesizer(), REPLY)
    return audio


@pytest.fixture()
def room(sound_server: PrivateSoundServer) -> Iterator[VirtualRoom]:
    """The room's devices as this process's default microphone and speaker."""
    built = VirtualRoom(sound_server)
    sound_server.use_here()
    yield built


def _speak_over(room: VirtualRoom, reply: AudioChunk, stop: Path | None) -> tuple[CancelToken, float]:
    """Play the reply with the monitor on; with ``stop``, the user says it 2 s in. Returns the turn's token
    and the seconds from the start of the user's words to the cancellation."""
    microphone = MicrophoneSource()
    sink = SpeakerSink(reply.sample_rate)
    try:
        assert microphone.wait_ready()
        monitor = BargeInMonitor(microphone)
        turn = CancelToken()
        turn.on_cancel(sink.flush)
        sink.play(reply)
        monitor.start(turn, sink)
        reaction = float("nan")
        if stop is not None:
            time.sleep(2.0)
            started = time.monotonic()
            room.play(stop)
            turn.wait(5.0)
            if monitor.last is not None:
                reaction = monitor.last.detected_at - started
        else:
            sink.wait_done(turn)
        monitor.stop()
        return turn, reaction
    finally:
        sink.close()
        microphone.close()


@pytest.fixture()
def stop_phrase(tmp_path: Path) -> Path:
    """The user interrupting in espeak-ng's voice (what `bench live` plays)."""
    return speak("Stop. What time is it?", tmp_path / "stop.wav", rate=150)


@pytest.mark.slow
@pytest.mark.parametrize("resampled", [False, True], ids=["direct", "resampled"])
def test_echo_alone_never_stops_the_answer(room: VirtualRoom, reply: AudioChunk, resampled: bool) -> None:
    room.echo_on(delay_ms=80, gain_db=-12.0, resampled=resampled)
    turn, _ = _speak_over(room, reply, stop=None)
    assert not turn.cancelled, f"Aris interrupted itself on its own echo ({turn.reason})"


@pytest.mark.slow
@pytest.mark.parametrize("echo", ["none", "direct", "resampled"])
def test_stop_over_the_echo_stops_the_answer(
    room: VirtualRoom, reply: AudioChunk, stop_phrase: Path, echo: str
) -> None:
    if echo != "none":
        room.echo_on(delay_ms=80, gain_db=-12.0, resampled=echo == "resampled")
    turn, reaction = _speak_over(room, reply, stop=stop_phrase)
    assert turn.cancelled and turn.reason == "barge_in"
    # How fast is `bench live`'s figure; here the stop must follow the user's words, not precede them.
    assert 0 < reaction < 5.0, f"'Stop.' stopped the answer {reaction:.2f} s after it began"


def test_echo_canceller_removes_a_delayed_copy_of_the_playback_and_keeps_other_speech(
    reply: AudioChunk, tmp_path: Path
) -> None:
    played = resample(reply.samples, reply.sample_rate, 16_000)
    delay = 1600  # 100 ms
    echo = np.concatenate([np.zeros(delay, np.float32), played[:-delay] * 0.25])
    user = np.zeros_like(played)
    stop = read_wav(speak("Stop right there.", tmp_path / "user.wav"))
    user[5 * 16_000 : 5 * 16_000 + len(stop)] = stop * 0.5
    canceller = EchoCanceller()
    cleaned = []
    for start in range(0, len(played) - 512, 512):
        canceller.played(played[start : start + 512])
        cleaned.append(canceller.clean(echo[start : start + 512] + user[start : start + 512]))
    out = np.concatenate(cleaned)

    def rms(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean(x**2)))

    echo_only = slice(2 * 16_000, 5 * 16_000)
    assert rms(out[echo_only]) < rms(echo[echo_only]) / 10  # more than 20 dB of echo removed
    talk = slice(5 * 16_000, 5 * 16_000 + len(stop))
    assert rms(out[talk]) > rms(user[talk]) / 4  # the user's words survive
