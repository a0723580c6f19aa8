"""The real thing: `python main.py listen` through sounddevice on a PulseAudio null sink, as on a desktop.

The question is played into the virtual speaker, whose monitor is the default microphone; Aris answers
through the same virtual speaker, so it also hears its own voice (the worst case for barge-in) and must not
interrupt itself. A recorder on the monitor captures everything, and the reply is transcribed back."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from app.soundserver import PrivateSoundServer
from engine.audio import read_wav
from tests.conftest import CAPITAL_QUESTION, ROOT, speak
from tests.hearing import assert_heard


def test_spoken_question_through_the_sound_server_is_answered_aloud(
    pulse: dict[str, str], sound_server: PrivateSoundServer, tmp_path: Path, factory
) -> None:
    question = speak(CAPITAL_QUESTION, tmp_path / "question.wav")
    recording = tmp_path / "recording.wav"
    recorder = subprocess.Popen(
        ["parecord", "--device=vspeaker.monitor", "--rate=16000", "--channels=1", str(recording)], env=pulse
    )
    aris = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(tmp_path / "data"), "listen", "--json"],
        env=pulse, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert aris.stderr is not None
        deadline = time.monotonic() + 120
        line = ""
        while "speak now" not in line and time.monotonic() < deadline and aris.poll() is None:
            line = aris.stderr.readline()
        assert "speak now" in line, f"Aris never started listening: {line!r}"
        sound_server.play(question, "vspeaker")
        out, err = aris.communicate(timeout=120)
    finally:
        aris.kill()
        time.sleep(1.0)  # parecord writes with some latency: let the reply's tail reach the file
        recorder.terminate()
        recorder.wait(timeout=10)

    assert aris.returncode == 0, err
    turn = json.loads(out)
    assert_heard(CAPITAL_QUESTION, turn["transcript"])
    assert "paris" in turn["reply"].lower()
    assert not turn["cancelled"], "Aris interrupted itself on its own voice"
    log = (tmp_path / "data" / "logs" / "aris.log").read_text()
    # The monitor listened through the whole reply (its own voice on the microphone all along): the echo
    # canceller removes it before the VAD, so nothing is left to ignore and nothing stopped the answer.
    assert re.search(r"Barge-in monitor stopped; it ignored our own voice \d+ times", log), (
        "no barge-in monitor"
    )
    assert "Barge-in: the user spoke" not in log
    # What came out of the speaker after the question: the reply, in Aris's voice.
    recorded = read_wav(recording)
    question_seconds = len(read_wav(question)) / 16_000
    reply_audio = recorded[_onset(recorded) + int((question_seconds + 0.3) * 16_000) :]
    assert_heard(turn["reply"], factory.transcriber().transcribe(reply_audio).text)


def _onset(audio: np.ndarray, frame: int = 512) -> int:
    """Index of the first 32 ms frame that is clearly not silence."""
    energies = [
        float(np.sqrt(np.mean(audio[i : i + frame] ** 2))) for i in range(0, len(audio) - frame, frame)
    ]
    return next(i * frame for i, energy in enumerate(energies) if energy > 0.01)
