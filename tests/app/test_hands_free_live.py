"""Hands-free for real: `python main.py hands-free` on a private PulseAudio server. The wake word and a
question are played into the room and answered aloud; a follow-up without the wake word is answered too.

The room is one null sink that is both the speaker and (through its monitor) the microphone, so Aris also
hears its own answers and its listening cue: neither may wake it or be taken for a question."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import numpy as np
import pytest

from app.bench.wake_speech import PiperSpeaker, espeak
from app.soundserver import PrivateSoundServer
from engine.audio import write_wav
from models.resolve import resolve_model
from tests.conftest import CAPITAL_QUESTION, ROOT
from tests.hearing import assert_heard

RATE = 16_000
FOLLOW_UP = "How many legs does a spider have?"


def _lines(stream: IO[str]) -> queue.Queue[str]:
    """The stream's lines as they come, read on a thread."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], text: str, timeout: float, seen: list[str]) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return line
    pytest.fail(f"never saw {text!r}; saw: {''.join(seen)[-2000:]}")


@pytest.mark.slow
def test_the_wake_word_and_a_question_are_answered_and_a_follow_up_needs_no_wake_word(
    pulse: dict[str, str], sound_server: PrivateSoundServer, tmp_path: Path, session_paths
) -> None:
    piper = PiperSpeaker(resolve_model("piper-joe-medium", session_paths.cache_dir).path)
    wake = piper.say("Hey Jarvis.")
    gap = np.zeros(int(0.3 * RATE), dtype=np.float32)
    woken = tmp_path / "woken.wav"
    write_wav(woken, np.concatenate([wake, gap, espeak(CAPITAL_QUESTION, words_per_minute=140), gap]), RATE)
    follow_up = tmp_path / "follow-up.wav"
    write_wav(follow_up, np.concatenate([espeak(FOLLOW_UP, words_per_minute=140), gap]), RATE)

    aris = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(tmp_path / "data"), "hands-free", "--json",
         "--follow-up", "10"],
        env=pulse, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert aris.stdout is not None and aris.stderr is not None
    out, err = _lines(aris.stdout), _lines(aris.stderr)
    seen: list[str] = []
    try:
        _wait_for(err, "Say 'Hey Jarvis' to ask.", 180, seen)
        sound_server.play(woken, "vspeaker")
        first = json.loads(_wait_for(out, "{", 180, seen))
        _wait_for(err, "Listening for a follow-up", 60, seen)
        sound_server.play(follow_up, "vspeaker")
        second = json.loads(_wait_for(out, "{", 180, seen))
        _wait_for(err, "Say 'Hey Jarvis' to ask.", 60, seen)  # the window closed after the second answer
    finally:
        aris.terminate()
        try:
            aris.wait(timeout=30)
        except subprocess.TimeoutExpired:
            aris.kill()

    assert_heard(CAPITAL_QUESTION, first["transcript"])
    assert "jarvis" not in first["transcript"].lower()  # listening began after the wake word
    assert "paris" in first["reply"].lower()
    assert not first["cancelled"], "Aris's own answer woke it or interrupted it"
    assert_heard(FOLLOW_UP, second["transcript"])
    assert aris.returncode == 0
