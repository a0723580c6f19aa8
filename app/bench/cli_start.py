"""`bench`'s one-shot figure: a fresh `ask` process, from its start to the first token it prints.

The process reads the saved prompt state (the system prompt already evaluated) and loads neither the speech
recognizer nor the voice; the first, untimed run builds the state and verifies the model files, so the
timed runs are what a user with a warm disk sees."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from models.locate import project_path

QUESTION = "What is the capital of France?"
MAIN = project_path("main.py")


def _command(data_dir: Path) -> list[str]:
    program = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, str(MAIN)]
    return [*program, "--data-dir", str(data_dir), "ask", QUESTION]


def first_token_ms(data_dir: Path) -> tuple[float, str]:
    """Milliseconds from starting `ask` to its first byte on stdout, and everything it printed."""
    started = time.monotonic()
    process = subprocess.Popen(
        _command(data_dir), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=dict(os.environ)
    )
    assert process.stdout is not None
    first = process.stdout.read(1)
    elapsed = (time.monotonic() - started) * 1000
    rest = process.stdout.read()
    process.wait(timeout=300)
    return round(elapsed, 1), (first + rest).decode("utf-8", "replace").strip()


def cli_figures(runs: int = 3) -> dict[str, object]:
    """The median of ``runs`` fresh processes after one that prepares the data folder."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        cold, _ = first_token_ms(data_dir)
        timed = [first_token_ms(data_dir) for _ in range(runs)]
    return {
        "first_token_ms": round(statistics.median(ms for ms, _ in timed), 1),
        "first_token_ms_runs": [ms for ms, _ in timed],
        "first_run_ms": cold,
        "reply": timed[0][1],
    }
