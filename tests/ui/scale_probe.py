"""Run as a child process by test_scale.py, because Qt reads QT_SCALE_FACTOR once, when it starts: opens the
main window, every Settings tab and the memory browser at the scale it was given, and prints one JSON list of
what does not fit (a control narrower than its text, a clipped tab, a window larger than the screen).

    QT_SCALE_FACTOR=2 python -m tests.ui.scale_probe DATA_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QThread
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QTabBar,
    QWidget,
)

from tests.ui.fakes import FakeMemoryStore


def settle(app: QApplication) -> None:
    """Let the layouts run."""
    for _ in range(5):
        app.processEvents()


def misfits(name: str, top: QWidget) -> list[str]:
    """Every visible control of ``top`` that shows less than its text needs, and ``top`` off the screen."""
    found: list[str] = []
    screen = top.screen().availableGeometry()
    frame = top.frameGeometry()
    if frame.width() > screen.width() or frame.height() > screen.height():
        found.append(
            f"{name}: window {frame.width()}x{frame.height()} larger than the screen {screen.size()}"
        )
    for widget in [top, *top.findChildren(QWidget)]:
        # A panel folded away (the history at the smallest size) is not clipped: it is not there.
        problem = _misfit(widget) if widget.isVisible() and not widget.visibleRegion().isEmpty() else None
        if problem:
            found.append(f"{name}: {problem}")
    return found


def _misfit(widget: QWidget) -> str | None:
    size, hint = widget.size(), widget.sizeHint()
    short = hint.width() > size.width() or hint.height() > size.height()
    if isinstance(widget, QAbstractButton) and widget.text().strip() and short:
        return f"button {widget.text()!r} is {size.toTuple()}, needs {hint.toTuple()}"
    if isinstance(widget, QLabel) and widget.text():
        # A wrapping label may be narrower than its one-line text, but not shorter than its wrapped lines.
        cut = widget.heightForWidth(size.width()) > size.height() if widget.wordWrap() else short
        if cut:
            return f"label {widget.text()[:40]!r} is {size.toTuple()}, needs {hint.toTuple()}"
    if isinstance(widget, QComboBox) and widget.minimumSizeHint().height() > size.height():
        return f"combo box {widget.currentText()!r} is {size.toTuple()}, needs {hint.toTuple()}"
    elided = [
        widget.tabText(i)
        for i in range(widget.count() if isinstance(widget, QTabBar) else 0)
        if widget.tabRect(i).width() < widget.tabSizeHint(i).width()
    ]
    if elided:
        return f"tabs {elided} are elided"
    if isinstance(widget, QGroupBox) and widget.minimumSizeHint().width() > size.width():
        return f"group {widget.title()!r} is narrower than its contents"
    return None


def main(data_dir: str) -> int:
    """Open each window, collect what does not fit, print it as JSON."""
    from app.paths import DataPaths
    from ui.app import build_session
    from ui.memory_browser import MemoryBrowser
    from ui.settings_dialog import SettingsDialog

    app = QApplication(sys.argv[:1])
    paths = DataPaths(Path(data_dir)).ensure()
    controller = build_session(paths, use_tray=False, use_hotkey=False)
    assert controller is not None
    window = controller.window
    window.show()
    controller.window.conversation.add("user", "What is the capital of France?")
    controller.window.conversation.add("assistant", "The capital of France is Paris.")
    settle(app)
    found = misfits("main window", window)
    window.resize(window.minimumSize())
    settle(app)
    found += misfits("main window at its smallest", window)

    dialog = SettingsDialog(controller.settings, paths, voice_tester=lambda *_: None, parent=window)
    dialog.show()
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        settle(app)
        found += misfits(f"settings, {dialog.tabs.tabText(index)} tab", dialog)
    dialog.reject()

    browser = MemoryBrowser(
        FakeMemoryStore(["The user lives in Lisbon.", "The user likes tea."]), parent=window
    )
    browser.show()
    for _ in range(50):
        if browser.list.count() == 2:
            break
        app.processEvents()
        QThread.msleep(20)
    settle(app)
    found += misfits("memory browser", browser)
    browser.close()
    controller.bridge.shutdown()
    print(json.dumps({"scale": window.devicePixelRatio(), "misfits": found}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
