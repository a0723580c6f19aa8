"""Screenshots of the Models window for the README, in both themes at 100 % and 200 %, with a fresh data
folder (only the built-in models installed) and the chat model recommended for this computer selected.

    .venv/bin/python ui/bench/models_screenshots.py [--out docs/screenshots]

Each scale runs in its own process, since QT_SCALE_FACTOR is read once when Qt starts."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # run as a script: the checkout must be importable first
sys.path.insert(0, str(ROOT))
SIZE = (1100, 640)
"""The window's size in logical pixels, as it opens."""


def capture(out: Path, scale: int) -> list[Path]:
    """Open the window in this process (QT_SCALE_FACTOR already set) and save a light and a dark shot."""
    from PySide6.QtWidgets import QApplication

    from app.config import Settings, Theme
    from app.paths import DataPaths
    from ui.models_page import ModelsWindow
    from ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv)
    suffix = "" if scale == 1 else f"-{scale * 100}"
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as work:
        paths = DataPaths(Path(work) / "data").ensure()
        for theme, name in ((Theme.LIGHT, "models"), (Theme.DARK, "models-dark")):
            apply_theme(app, theme)  # type: ignore[arg-type]
            window = ModelsWindow(paths, Settings())
            window.resize(*SIZE)
            window.show()
            page = window.page
            recommended = next((r.id for r in page.manager.rows() if r.recommended and r.kind == "llm"), None)
            if recommended:
                page.select(recommended)
            for _ in range(20):
                app.processEvents()
            path = out / f"{name}{suffix}.png"
            window.grab().save(str(path))
            saved.append(path)
            page.shutdown()
            window.deleteLater()
            app.processEvents()
    return saved


def main() -> int:
    """Run one child process per scale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--scale", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.scale:
        for path in capture(args.out, args.scale):
            print(path)
        return 0
    for scale in (1, 2):
        env = dict(
            os.environ,
            QT_SCALE_FACTOR=str(scale),
            QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        )
        done = subprocess.run(
            [sys.executable, __file__, "--out", str(args.out), "--scale", str(scale)], env=env, check=False
        )
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
