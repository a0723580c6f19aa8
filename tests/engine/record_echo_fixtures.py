"""Records the barge-in fixtures in tests/engine/recordings through the private sound room (run once; the
files are committed): what the app's microphone heard and what its speaker was given, in step, exactly as
the barge-in monitor reads them.

- ``echo_direct.flac`` / ``echo_resampled.flac``: 2 channels, 16 kHz: [0] the playback (the echo
  reference), [1] the microphone hearing Aris's reply leak back 80 ms late at -12 dB (directly, or through
  a 44.1 kHz sink with its own clock); nobody speaks.
- ``stop.flac``: mono, the microphone hearing the user say "Stop. What time is it?" (espeak-ng) alone.

The room mixes linearly, so a test adds ``stop.flac`` to an echo recording to get the user talking over
the echo at a known moment.

Usage: .venv/bin/python tests/engine/record_echo_fixtures.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.bench.live.room import RATE, VirtualRoom  # noqa: E402
from app.config import ModelSettings  # noqa: E402
from app.engine_factory import EngineFactory  # noqa: E402
from app.paths import DataPaths  # noqa: E402
from app.soundserver import PrivateSoundServer  # noqa: E402
from engine.audio import MicrophoneSource, SpeakerSink, read_wav  # noqa: E402
from engine.cancel import CancelToken  # noqa: E402
from engine.tts import synthesize_all  # noqa: E402

OUT = ROOT / "tests" / "engine" / "recordings"
SECONDS = 7.0
REPLY = (
    "Rome was founded, according to legend, in seven hundred and fifty three before Christ by Romulus and "
    "Remus. It grew from a small town on the Tiber into an empire."
)


def _capture(microphone: MicrophoneSource, sink: SpeakerSink, stop: CancelToken) -> tuple[list, list]:
    mic: list[np.ndarray] = []
    played: list[np.ndarray] = []
    cursor = sink.playback_since(0)[1]
    for frame in microphone.frames(stop):
        mic.append(frame)
        chunk, cursor = sink.playback_since(cursor)
        played.append(chunk)
    return mic, played


def _write(path: Path, channels: list[np.ndarray]) -> None:
    length = min(len(c) for c in channels)
    pcm = np.stack([np.clip(c[:length], -1, 1) for c in channels], axis=1)
    raw = path.with_suffix(".raw")
    raw.write_bytes((pcm * 32767).astype("<i2").tobytes())
    subprocess.run(
        ["sox", "-t", "raw", "-r", str(RATE), "-e", "signed", "-b", "16", "-c", str(len(channels)), str(raw),
         str(path)],
        check=True,
    )  # fmt: skip
    raw.unlink()


def main() -> None:
    """Record the three fixtures."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, PrivateSoundServer(Path(tmp) / "pulse") as server:
        work = Path(tmp)
        factory = EngineFactory(ModelSettings(threads=2), DataPaths(work / "data").ensure())
        voice = factory.synthesizer()
        reply, _ = synthesize_all(voice, REPLY)
        room = VirtualRoom(server)
        server.use_here()
        microphone = MicrophoneSource()
        sink = SpeakerSink(voice.sample_rate)
        assert microphone.wait_ready()
        for name, resampled in (("echo_direct", False), ("echo_resampled", True)):
            room.echo_on(delay_ms=80, gain_db=-12.0, resampled=resampled)
            time.sleep(0.5)
            stop = CancelToken()
            result: list = []
            thread = threading.Thread(target=lambda s=stop, r=result: r.extend(_capture(microphone, sink, s)))
            thread.start()
            time.sleep(0.3)
            sink.play(reply)
            time.sleep(SECONDS)
            sink.flush()
            stop.cancel("done")
            thread.join()
            mic, played = result
            _write(OUT / f"{name}.flac", [np.concatenate(played), np.concatenate(mic)])
        room.echo_off()
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(work / "stop.wav"), "Stop. What time is it?"],
            check=True,
        )  # fmt: skip
        stop = CancelToken()
        result = []
        thread = threading.Thread(target=lambda: result.extend(_capture(microphone, sink, stop)))
        thread.start()
        time.sleep(0.2)
        room.play(work / "stop.wav")
        time.sleep(0.2)
        stop.cancel("done")
        thread.join()
        heard = np.concatenate(result[0])
        loud = np.nonzero(np.abs(heard) > 0.004)[0]
        start, end = max(0, loud[0] - RATE // 10), min(len(heard), loud[-1] + RATE // 10)
        _write(OUT / "stop.flac", [heard[start:end]])
        sink.close()
        microphone.close()
    for path in sorted(OUT.glob("*.flac")):
        print(path.name, path.stat().st_size, "bytes", round(len(read_wav(path)) / RATE, 2), "s")


if __name__ == "__main__":
    main()
