"""The global hotkey on a real X server: Aris runs on Xvfb, another window has the focus, xdotool holds
Ctrl+Alt+Space, and Aris starts a turn (seen in its log)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.skipif(
        not (shutil.which("Xvfb") and shutil.which("xdotool") and shutil.which("xmessage")),
        reason="needs Xvfb, xdotool and xmessage (apt-get install xvfb xdotool x11-apps)",
    ),
]


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def display() -> Iterator[str]:
    """A private X server on a display number it picks itself (-displayfd), so test processes running side
    by side never share one."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
    )
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    name = f":{number}"
    wait_for(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), 10, "Xvfb")
    yield name
    server.terminate()
    server.wait(5)


def x11_env(display: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_SESSION_TYPE="x11", **extra)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def app_log(paths) -> str:  # type: ignore[no-untyped-def]
    """What the running app has logged so far."""
    log_file = paths.log_dir / "aris.log"
    return log_file.read_text() if log_file.exists() else ""


@pytest.fixture
def aris_on_x(display: str, paths, question_wav: Path) -> Iterator[dict[str, str]]:
    """`python main.py` on the X server with the recorded question as its microphone, its models loaded and
    its shortcut grabbed, while another application has the focus; yields the environment for xdotool. Quit
    afterwards through its own command, which must end it cleanly."""
    from ui.instance import Command, send_command

    app = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py")],
        cwd=ROOT,
        env=x11_env(display, ARIS_DATA_DIR=str(paths.root), ARIS_MIC_WAV=str(question_wav)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    other = subprocess.Popen(
        ["xmessage", "-name", "other-app", "Another application has the focus"], env=x11_env(display)
    )
    env = x11_env(display)
    try:
        wait_for(lambda: "Global hotkey <ctrl>+<alt>+<space> is active" in app_log(paths), 60, "the hotkey")
        wait_for(lambda: "Models loaded" in app_log(paths), 180, "the models")
        window = subprocess.run(
            ["xdotool", "search", "--sync", "--name", "other-app"],
            env=env, capture_output=True, text=True, check=True, timeout=20,
        ).stdout.split()[0]  # fmt: skip
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True, timeout=20)
        focused = subprocess.run(
            ["xdotool", "getwindowfocus"], env=env, capture_output=True, text=True, timeout=20, check=True
        ).stdout
        assert focused.strip() == window  # Aris does not have the focus
        yield env
    finally:
        answer = send_command(paths.socket_name, Command.QUIT)
        try:
            app.wait(30)
        except subprocess.TimeoutExpired:
            app.kill()
        other.terminate()
        other.wait(5)
    assert answer is not None and answer.startswith("ok")
    assert app.returncode == 0, app.stderr.read() if app.stderr else ""


def test_the_hotkey_starts_a_turn_while_another_window_has_focus(aris_on_x: dict[str, str], paths) -> None:
    subprocess.run(["xdotool", "keydown", "ctrl+alt+space"], env=aris_on_x, check=True, timeout=20)
    wait_for(lambda: "State: listening" in app_log(paths), 20, "a turn to start")
    time.sleep(0.3)
    subprocess.run(["xdotool", "keyup", "ctrl+alt+space"], env=aris_on_x, check=True, timeout=20)
    wait_for(lambda: "Hotkey released" in app_log(paths), 10, "the release")
    # The recorded question runs to its end and is answered.
    wait_for(lambda: "State: thinking" in app_log(paths), 60, "the question to be transcribed")
    assert "Hotkey pressed" in app_log(paths)
