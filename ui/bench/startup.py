"""Start-up benchmark: how long from launching `python main.py` to the main window on screen.

Each run is a fresh child process (cold Python, imports, Qt, our widgets) with its own empty data folder;
the child prints when the window is shown and quits without loading models. Plain Python, no Qt here."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from models.locate import project_path
from ui.app import STARTUP_MARK_ENV

MAIN = project_path("main.py")


@dataclass(frozen=True)
class StartupResult:
    """Seconds from spawning the process to the window shown, per run; and inside run_desktop alone."""

    process_seconds: list[float]
    in_app_seconds: list[float]

    @property
    def median(self) -> float:
        """Median launch-to-window time."""
        return statistics.median(self.process_seconds)


def measure_once(timeout: float = 60.0) -> tuple[float, float]:
    """One launch: (spawn to window shown, run_desktop entry to window shown)."""
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, ARIS_DATA_DIR=data, **{STARTUP_MARK_ENV: "1"})
        if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
        # Frozen, the executable is the app itself (dist/aris/aris); from source it is python main.py.
        command = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, str(MAIN)]
        started = time.monotonic()
        child = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            assert child.stdout is not None
            for line in child.stdout:
                if line.startswith("window-shown "):
                    return time.monotonic() - started, float(line.split()[1])
            raise RuntimeError(f"the app exited ({child.wait()}) without showing its window")
        finally:
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()


def run_startup_bench(runs: int = 5, *, as_json: bool = False) -> StartupResult:
    """Measure ``runs`` launches (plus one unmeasured, to warm the disk cache) and print the result."""
    measure_once()
    pairs = [measure_once() for _ in range(runs)]
    result = StartupResult([p for p, _ in pairs], [a for _, a in pairs])
    if as_json:
        print(
            json.dumps(
                {
                    "runs": runs,
                    "median_ms": round(result.median * 1000),
                    "process_ms": [round(s * 1000) for s in result.process_seconds],
                    "in_app_median_ms": round(statistics.median(result.in_app_seconds) * 1000),
                }
            )
        )
    else:
        print(f"Launch to main window shown, median of {runs}: {result.median * 1000:.0f} ms")
        print(f"  runs: {', '.join(f'{s * 1000:.0f}' for s in result.process_seconds)} ms")
        print(
            f"  of which inside the app (Qt, settings, widgets): "
            f"{statistics.median(result.in_app_seconds) * 1000:.0f} ms; the rest is Python start and imports"
        )
    return result
