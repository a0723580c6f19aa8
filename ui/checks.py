"""First-run and error screen: the same checks as `doctor`, run off the GUI thread, reported as one notice."""

from __future__ import annotations

import html

from PySide6.QtCore import QObject, Signal

from app.doctor import CheckResult, run_checks
from app.paths import DataPaths
from ui.jobs import run_job


class ChecksRunner(QObject):
    """Runs doctor's checks in a thread and reports the ones that failed."""

    finished = Signal(object)
    """list[CheckResult] of the failed checks (empty: all fine)."""

    def __init__(self, paths: DataPaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self._running = False

    def start(self) -> None:
        """Run once; later calls while running are ignored."""
        if self._running:
            return
        self._running = True
        paths = self.paths
        run_job(
            lambda: [result for result in run_checks(paths) if not result.ok],
            self._on_done,
            owner=self,
            name="checks",
        )

    def _on_done(self, failed: list[CheckResult]) -> None:
        self._running = False
        self.finished.emit(failed)


def describe(failed: list[CheckResult]) -> str:
    """The failed checks as rich text: what is wrong and the fix, one per line."""
    lines = []
    for result in failed:
        fix = (
            f"<br><span style='color:#6B7280'>Fix: <code>{html.escape(result.fix)}</code></span>"
            if result.fix
            else ""
        )
        lines.append(f"<b>{html.escape(result.name.capitalize())}</b>: {html.escape(result.detail)}{fix}")
    return "<br>".join(lines)
