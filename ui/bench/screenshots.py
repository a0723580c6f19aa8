"""Screenshots for the README: starts Xvfb with `trayer` as the tray host, runs Aris with a recorded
question as the microphone, and saves the main window mid-answer, the tray menu, the settings dialog and the
memory browser to docs/screenshots/.

    .venv/bin/python ui/bench/screenshots.py [--out docs/screenshots]
    .venv/bin/python ui/bench/screenshots.py --scale 2 --out /tmp/shots-200   # how it looks at 200 %
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # run as a script: the checkout must be importable first
sys.path.insert(0, str(ROOT))
DISPLAY = ":73"
SCREEN = (1280, 820)


def start_x(display: str, scale: int = 1) -> list[subprocess.Popen]:
    """Xvfb (its pixels ``scale`` times the logical screen) and a tray host; both are ended by the caller."""
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{SCREEN[0] * scale}x{SCREEN[1] * scale}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        if Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
            break
        time.sleep(0.1)
    env = dict(os.environ, DISPLAY=display)
    trayer = subprocess.Popen(
        [
            "trayer",
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "request",
            "--height",
            "28",
            "--tint",
            "0xF3F4F6",
            "--transparent",
            "true",
            "--alpha",
            "0",
            "--SetDockType",
            "true",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    return [trayer, xvfb]


def speak(text: str, path: Path) -> Path:
    """A question in espeak-ng's voice (not Aris's own), as the tests make them."""
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(path), text], check=True)
    return path


EXAMPLE_MEMORIES = [
    "The user's name is Sam.",
    "The user lives in Lisbon.",
    "The user's sister's name is Alice.",
    "The user is allergic to peanuts.",
    "The user prefers short answers.",
    "The user has a dentist appointment on Friday at 3 pm.",
]


def settle(qapp, seconds: float = 0.4) -> None:
    """Let Qt lay out and paint."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)


def wait(qapp, condition, timeout: float = 120.0, describe=lambda: "") -> None:
    """Run the event loop until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app did not get there in time {describe()}")
        qapp.processEvents()
        time.sleep(0.01)


def shoot_main_window(qapp, controller, out: Path) -> None:
    """One typed exchange, then a spoken question captured while the reply streams and plays."""
    window, bridge = controller.window, controller.bridge
    finished: list[str] = []
    bridge.turn_finished.connect(lambda _turn, reply: finished.append(reply))
    bridge.load()
    wait(qapp, lambda: bridge.loaded and bridge.has_microphone)
    controller.ask("What is the capital of France?")
    wait(qapp, lambda: len(finished) == 1)
    controller.talk_toggle()
    wait(
        qapp,
        lambda: (
            len(window.conversation.bubbles) >= 4 and len(window.conversation.bubbles[-1].text.split()) >= 6
        ),
        describe=lambda: (
            f"state {controller.state.value}, last bubbles {[b.text for b in window.conversation.bubbles[-2:]]!r}"
        ),
    )
    window.grab().save(str(out / "main-window.png"))
    wait(qapp, lambda: len(finished) == 2)
    shoot_dark(qapp, controller, out)


def shoot_dark(qapp, controller, out: Path) -> None:
    """The same window in the dark theme, then back to light for the other shots."""
    from app.config import Theme
    from ui.theme import apply_theme

    apply_theme(qapp, Theme.DARK)
    settle(qapp, 0.8)
    controller.window.grab().save(str(out / "main-window-dark.png"))
    apply_theme(qapp, Theme.LIGHT)
    settle(qapp)


def shoot_tray_menu(qapp, controller, out: Path) -> None:
    """The tray menu opened under its icon in trayer's panel."""
    from PySide6.QtCore import QPoint

    tray = controller.tray
    if tray is None:
        print("No tray host: tray-menu.png not taken", file=sys.stderr)
        return
    wait(qapp, lambda: tray.icon.geometry().isValid(), 5)
    icon = tray.icon.geometry()
    tray.menu.popup(QPoint(icon.right() - tray.menu.sizeHint().width(), icon.bottom() + 2))
    settle(qapp)
    menu = tray.menu.geometry()
    left = min(menu.left(), icon.left()) - 140
    shot = qapp.primaryScreen().grabWindow(0, left, 0, SCREEN[0] - left, menu.bottom() + 40)
    shot.save(str(out / "tray-menu.png"))
    tray.menu.hide()


def shoot_dialogs(qapp, controller, out: Path) -> None:
    """Settings (audio, shortcut and sync account tabs) and the memory browser."""
    from ui.memory_browser import MemoryBrowser

    dialog = controller.settings_dialog()
    dialog.show()
    for index, name in ((1, "settings.png"), (2, "settings-shortcut.png"), (4, "settings-sync.png")):
        dialog.tabs.setCurrentIndex(index)
        settle(qapp)
        dialog.grab().save(str(out / name))
    dialog.reject()

    wait(qapp, lambda: controller.memory is not None, 120)  # opened by the engine once models load
    browser = MemoryBrowser(controller.memory, parent=controller.window)
    browser.show()
    wait(qapp, lambda: browser.list.count() > 0, 10)
    browser.list.setCurrentRow(1)
    settle(qapp)
    browser.grab().save(str(out / "memory-browser.png"))
    browser.close()


def make_wallpaper():
    """A soft desktop background (bare Xvfb is black), kept under trayer's panel."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    wallpaper = QWidget(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnBottomHint)
    wallpaper.setObjectName("wallpaper")
    wallpaper.setStyleSheet(
        "#wallpaper { background: qlineargradient(x1:0, y1:0, x2:1, y2:1, stop:0 #E0E7FF, stop:1 #F5D0FE); }"
    )
    wallpaper.setGeometry(0, 0, *SCREEN)
    wallpaper.show()
    env = dict(os.environ)
    found = subprocess.run(
        ["xdotool", "search", "--class", "trayer"], env=env, capture_output=True, text=True, check=False
    ).stdout.split()
    for window in found:
        subprocess.run(["xdotool", "windowraise", window], env=env, check=False)
    return wallpaper


def capture(out: Path, work: Path) -> None:
    """Run the app in this process on the X display and save the screenshots."""
    from PySide6.QtWidgets import QApplication

    from app.memory.service import MemoryService
    from app.paths import DataPaths
    from ui import app as desktop

    question = speak("What can you tell me about the planet Jupiter?", work / "q.wav")
    os.environ[desktop.MIC_WAV_ENV] = str(question)
    paths = DataPaths(work / "data").ensure()
    store = MemoryService.open(paths)  # the memories the browser shows, in the app's real store
    for index, text in enumerate(EXAMPLE_MEMORIES):
        decision = store.add(text, pinned=index == 0)
        assert decision.stored is not None, decision
    store.close()
    from app.skills.router import SkillRouter, open_skill_store

    router = SkillRouter(open_skill_store(paths.database))  # the Timers and Lists panels are not empty
    for request in (
        "add milk to my shopping list",
        "add eggs to my shopping list",
        "add bread to my shopping list",
        "set a pasta timer for 9 minutes",
    ):
        assert router.handle(request) is not None, request
    router.close()
    qapp = QApplication(sys.argv[:1])
    controller = desktop.build_session(paths, use_hotkey=False)
    assert controller is not None
    wallpaper = make_wallpaper()
    controller.window.resize(1180, 760)
    controller.window.move(40, 30)
    controller.window.show()
    shoot_main_window(qapp, controller, out)
    shoot_tray_menu(qapp, controller, out)
    shoot_dialogs(qapp, controller, out)
    wallpaper.close()
    controller.quit()


def main() -> int:
    """Parse arguments, start X, capture, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--scale", type=int, default=1, help="QT_SCALE_FACTOR, e.g. 2 for 200 %%")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child:
        capture(args.out, args.work)
        return 0
    for tool in ("Xvfb", "trayer", "espeak-ng"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: sudo apt-get install xvfb trayer espeak-ng", file=sys.stderr)
            return 1
    processes = start_x(DISPLAY, args.scale)
    try:
        with tempfile.TemporaryDirectory() as work:
            env = dict(
                os.environ,
                DISPLAY=DISPLAY,
                QT_QPA_PLATFORM="xcb",
                ORT_DISABLE_TELEMETRY="1",
                XDG_SESSION_TYPE="x11",
                XDG_CONFIG_HOME=str(Path(work) / "config"),
                QT_SCALE_FACTOR=str(args.scale),
            )
            env.pop("WAYLAND_DISPLAY", None)
            result = subprocess.run(
                [sys.executable, __file__, "--child", "--out", str(args.out), "--work", work],
                env=env,
                check=False,
            )
            return result.returncode
    finally:
        for process in processes:
            process.terminate()
            process.wait(5)


if __name__ == "__main__":
    sys.exit(main())
