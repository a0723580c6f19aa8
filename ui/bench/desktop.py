"""`bench desktop`: the desktop app's edges a user feels, measured from outside the app.

- ``talk``: a fresh `python main.py talk` process against a running app, spawn to exit (a desktop shortcut
  runs exactly this; target ≤ 300 ms). Runs alternate "start listening" and "finish", and each waits for
  the app to be idle again so the previous question's answer does not load the machine.
- ``quit``: from the Quit command (the tray's Quit, sent over the app's socket) to the process gone, with
  the models loaded and one answer given (target ≤ 1 s).

The app runs offscreen (or on $DISPLAY) with a recorded question as its microphone and a silent speaker, in
a temporary data folder. Plain Python, no Qt here."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.paths import resolve_data_paths
from models.locate import project_path, resource_path
from ui.app import MIC_WAV_ENV
from ui.talk_client import Command, send_line

MAIN = project_path("main.py")
TALK_TARGET_MS = 300
QUIT_TARGET_MS = 1000
LOAD_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class DesktopBench:
    """Milliseconds per run."""

    talk_ms: list[float]
    quit_ms: list[float]

    def as_dict(self) -> dict[str, object]:
        """The JSON report."""
        return {
            "talk": {
                "median_ms": round(statistics.median(self.talk_ms)),
                "runs_ms": [round(t) for t in self.talk_ms],
                "target_ms": TALK_TARGET_MS,
            },
            "quit": {
                "median_ms": round(statistics.median(self.quit_ms)),
                "runs_ms": [round(t) for t in self.quit_ms],
                "target_ms": QUIT_TARGET_MS,
            },
        }


def _command() -> list[str]:
    return [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, str(MAIN)]


@contextmanager
def running_app(data: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The desktop app on its own data folder, models loaded; killed if still running at the end."""
    env = dict(os.environ, ARIS_DATA_DIR=str(data))
    env[MIC_WAV_ENV] = str(resource_path("selftest", "question.wav"))
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = subprocess.Popen(_command(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(data, lambda answer: answer == "ok idle", LOAD_TIMEOUT_S, app)
        yield app
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)


def _status(data: Path) -> str | None:
    return send_line(resolve_data_paths(data).socket_name, Command.STATUS)


def _wait_for(data: Path, ready, timeout: float, app: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise RuntimeError(f"the app exited ({app.returncode}) before it was ready")
        if ready(_status(data)):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the app was not ready within {timeout:.0f} s")


def time_talk(data: Path) -> float:
    """One fresh `python main.py talk` process, spawn to exit, in milliseconds."""
    started = time.monotonic()
    done = subprocess.run(
        [*_command(), "--data-dir", str(data), "talk"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    elapsed = (time.monotonic() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"talk failed: {done.stderr.strip()}")
    return elapsed


def time_quit(data: Path, app: subprocess.Popen[bytes]) -> float:
    """The Quit command to the process gone, in milliseconds."""
    started = time.monotonic()
    if send_line(resolve_data_paths(data).socket_name, Command.QUIT) is None:
        raise RuntimeError("the app did not take the Quit command")
    app.wait(30)
    return (time.monotonic() - started) * 1000


def run_desktop_bench(runs: int = 5, *, as_json: bool = False) -> DesktopBench:
    """``runs`` talk processes (after one unmeasured) on one app, then Quit on ``min(runs, 3)`` launches."""
    talk_ms: list[float] = []
    quit_ms: list[float] = []
    for launch in range(max(1, min(runs, 3))):
        with tempfile.TemporaryDirectory() as folder, running_app(Path(folder)) as app:
            data = Path(folder)
            if launch == 0:
                for run in range(2 * ((runs + 2) // 2)):  # pairs of start and finish, one more run
                    elapsed = time_talk(data)
                    if run and len(talk_ms) < runs:
                        talk_ms.append(elapsed)
                    if run % 2:  # a finish starts an answer: let it end before the next process is timed
                        _wait_for(data, lambda answer: answer == "ok idle", 120.0, app)
            else:  # quit with an answer given, as after real use
                time_talk(data)
                time_talk(data)
                _wait_for(data, lambda answer: answer == "ok idle", 120.0, app)
            quit_ms.append(time_quit(data, app))
    result = DesktopBench(talk_ms, quit_ms)
    if as_json:
        print(json.dumps(result.as_dict()))
    else:
        print(
            f"`python main.py talk` against the running app, median of {runs}: "
            f"{statistics.median(talk_ms):.0f} ms (target ≤ {TALK_TARGET_MS} ms)"
        )
        print(f"  runs: {', '.join(f'{t:.0f}' for t in talk_ms)} ms")
        print(
            f"Quit to process exit, median of {len(quit_ms)}: {statistics.median(quit_ms):.0f} ms "
            f"(target ≤ {QUIT_TARGET_MS} ms)"
        )
        print(f"  runs: {', '.join(f'{t:.0f}' for t in quit_ms)} ms")
    return result
