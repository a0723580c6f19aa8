"""Readable at 200 % scale: on a 1920x1080 screen at QT_SCALE_FACTOR=2 (960x540 logical pixels), no button,
label or tab of the main window, Settings or the memory browser shows less than its text, and each fits on
the screen. Qt reads the scale once at start, so each scale runs in a child process (tests/ui/scale_probe.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize("scale", [1, 2])
def test_every_text_fits_and_every_window_fits_the_screen(tmp_path: Path, scale: int) -> None:
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps(
            {"screens": [{"name": "fhd", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96}]}
        )
    )
    env = dict(os.environ, QT_SCALE_FACTOR=str(scale), QT_QPA_PLATFORM=f"offscreen:configfile={screen}")
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.scale_probe", str(tmp_path / "data")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["scale"] == scale
    assert report["misfits"] == []
