"""The real thing: the desktop app runs on a PulseAudio null sink; `python main.py ask` (another process) sets
a 2-second timer; the app rings it: the chime reaches the sound server and the notification is logged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine.audio import read_wav
from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.slow  # starts the desktop app and a CLI, each loading the real models


def _tone_strength(audio: np.ndarray, frequency: float, rate: int = 16_000) -> float:
    """How far the chime's note stands out of the spectrum around it (a pure tone: many times; speech: ~1)."""
    spectrum = np.abs(np.fft.rfft(audio))
    freqs = np.fft.rfftfreq(len(audio), 1 / rate)
    peak = spectrum[(freqs > frequency - 4) & (freqs < frequency + 4)].max()
    around = np.median(spectrum[(freqs > 500) & (freqs < 2500)])
    return float(peak / around)


def test_timer_set_by_the_cli_rings_from_the_running_app(pulse, tmp_path: Path) -> None:
    data = tmp_path / "data"
    recording = tmp_path / "recording.wav"
    env = {**pulse, "ARIS_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen"}
    app = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    recorder = subprocess.Popen(
        ["parecord", "--device=vspeaker.monitor", "--rate=16000", "--channels=1", str(recording)], env=pulse
    )
    try:
        answer = run_cli("ask", "Set a timer for two seconds.", "--json", data_dir=data, timeout=300)
        assert answer.returncode == 0, answer.stderr
        assert json.loads(answer.stdout)["skill"] == "timer"
        log_file = data / "logs" / "aris.log"
        for line in ("Timer rang: Your timer is done.", "Announced: Your timer is done."):
            deadline = time.monotonic() + 180  # the announcement waits for the app's models to load
            while line not in (log_file.read_text() if log_file.exists() else ""):
                if time.monotonic() > deadline:
                    pytest.fail(f"the app never logged {line!r}")
                time.sleep(0.2)
        time.sleep(1)  # the sound server passes on the last of it
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(timeout=10)
        app.kill()
        app.wait(timeout=10)
    audio = read_wav(recording)
    assert np.sqrt(np.mean(audio**2)) > 0.005  # sound reached the output device
    assert _tone_strength(audio, 880.0) > 20 and _tone_strength(audio, 1318.5) > 20  # and it is the chime
    assert os.path.getsize(recording) > 50_000
