"""The virtual room: a user, Aris's microphone and speaker, and an optional echo path, on one timeline.

One 3-channel null sink ``room`` holds everything: channel 0 is the user's voice (sink ``you``), channel 1
Aris's speaker (``aris_speaker``), channel 2 what leaks from the speaker back to the microphone (``echo``).
Aris's microphone (``aris_mic``) hears channels 0 and 2; recording the room's monitor gives the user's voice
and Aris's voice as separate channels of one file, so latencies need no clock alignment."""

from __future__ import annotations

import logging
import subprocess
import time
import wave
from pathlib import Path

import numpy as np

from app.soundserver import PrivateSoundServer

log = logging.getLogger(__name__)

RATE = 16_000
USER, SPEAKER, ECHO_CHANNEL = 0, 1, 2


class VirtualRoom:
    """Builds the devices on a running :class:`PrivateSoundServer` and makes them the defaults."""

    def __init__(self, server: PrivateSoundServer) -> None:
        self.server = server
        self._echo_modules: list[int] = []
        server.load("module-null-sink", "sink_name=room", "channels=3", "channel_map=aux0,aux1,aux2",
                    f"rate={RATE}")  # fmt: skip
        for name, channel in (("you", "aux0"), ("aris_speaker", "aux1"), ("echo", "aux2")):
            server.load("module-remap-sink", f"sink_name={name}", "master=room", "channels=1",
                        "channel_map=mono", f"master_channel_map={channel}", "remix=no")  # fmt: skip
        server.load("module-remap-source", "source_name=aris_mic", "master=room.monitor", "channels=2",
                    "master_channel_map=aux0,aux2", "channel_map=front-left,front-right", "remix=no")  # fmt: skip
        server.set_defaults("aris_speaker", "aris_mic")

    def echo_on(self, *, delay_ms: int = 80, gain_db: float = -12.0, resampled: bool = False) -> None:
        """Let the speaker leak into the microphone ``delay_ms`` late at ``gain_db``; with ``resampled``
        the leak goes through a 44.1 kHz sink with its own clock (drift and resampling, like a combine sink
        or a USB headset)."""
        self.echo_off()
        source = "aris_speaker.monitor"
        if resampled:
            self._echo_modules.append(
                self.server.load("module-null-sink", "sink_name=far", "rate=44100", "channels=2")
            )
            self._echo_modules.append(self._loopback(source, "far", delay_ms // 2))
            source, delay_ms = "far.monitor", delay_ms - delay_ms // 2
        self._echo_modules.append(self._loopback(source, "echo", delay_ms))
        self.server.pactl("set-sink-volume", "echo", f"{gain_db}dB")

    def _loopback(self, source: str, sink: str, latency_ms: int) -> int:
        return self.server.load("module-loopback", f"source={source}", f"sink={sink}",
                                f"latency_msec={max(latency_ms, 1)}", "source_dont_move=true",
                                "sink_dont_move=true")  # fmt: skip

    def echo_off(self) -> None:
        """No leak from speaker to microphone."""
        for index in reversed(self._echo_modules):
            self.server.unload(index)
        self._echo_modules = []

    def play(self, path: Path) -> None:
        """Play a WAV file as the user's voice; returns when it has been played."""
        self.server.play(path, "you", latency_ms=20)

    def record(self, path: Path) -> Recording:
        """Start recording the room (all three channels); stop it with :meth:`Recording.stop`."""
        return Recording(self.server, path)


class Recording:
    """``parecord`` of the room's monitor."""

    def __init__(self, server: PrivateSoundServer, path: Path) -> None:
        self.path = path
        self._process = subprocess.Popen(
            ["parecord", "--device=room.monitor", "--channels=3", "--channel-map=aux0,aux1,aux2",
             f"--rate={RATE}", "--format=s16le", "--file-format=wav", "--latency-msec=20", str(path)],
            env=server.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.3)

    def stop(self) -> np.ndarray:
        """Stop and return the samples as (frames, 3) float32."""
        time.sleep(0.5)  # let the last audio reach the file
        self._process.terminate()
        self._process.wait(timeout=10)
        with wave.open(str(self.path), "rb") as file:
            raw = file.readframes(file.getnframes())
        samples = np.frombuffer(raw, dtype="<i2")
        return (samples[: len(samples) // 3 * 3].reshape(-1, 3) / 32768.0).astype(np.float32)
