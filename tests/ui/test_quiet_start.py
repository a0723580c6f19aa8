"""`python main.py` in a terminal, in a fresh process: a normal start prints nothing there, and Ctrl+C
(SIGINT) or a polite kill (SIGTERM) quits it like Quit in the tray."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.paths import resolve_data_paths
from tests.conftest import ROOT
from ui.talk_client import Command, send_line

READY_GUARD_S = 300
"""Loading every model on a busy two-core machine takes up to a minute; this only stops a hung start."""
QUIT_GUARD_S = 20
"""A quit that works takes well under a second here (see the README); this catches one that never comes."""


def start_desktop(data_dir: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, ARIS_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    env.pop("ARIS_MIC_WAV", None)
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_ready(process: subprocess.Popen[str], data_dir: Path) -> None:
    """The running app's own answer over its socket: "ok idle" once every model is loaded."""
    name = resolve_data_paths(data_dir).socket_name
    deadline = time.monotonic() + READY_GUARD_S
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        answer = send_line(name, Command.STATUS)
        if answer is not None and answer != "ok loading":
            return
        time.sleep(0.5)
    process.kill()
    pytest.fail(f"Aris was not ready after {READY_GUARD_S} s: {process.communicate()}")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_normal_start_is_silent_and_a_signal_quits_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    data_dir = tmp_path / "data"
    process = start_desktop(data_dir)
    try:
        wait_until_ready(process, data_dir)
        sent = time.monotonic()
        process.send_signal(stop)
        out, err = process.communicate(timeout=QUIT_GUARD_S)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"{stop.name} did not quit Aris within {QUIT_GUARD_S} s: {err}")
    print(f"{stop.name} to exit: {time.monotonic() - sent:.2f} s")
    assert process.returncode == 0, err
    # No microphone or speaker in this session either: the window says so, the terminal stays quiet.
    assert out == "" and err == ""
    log = (data_dir / "logs" / "aris.log").read_text(encoding="utf-8")
    assert f"Quitting on {stop.name}" in log and "No microphone" in log
