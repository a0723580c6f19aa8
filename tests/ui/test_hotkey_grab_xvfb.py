"""The global shortcut is grabbed exclusively on X11: with another X client focused, Ctrl+Alt+Space reaches
Aris and the focused window gets no space; a plain key still reaches that window (the test can fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from tests.ui.test_hotkey_xvfb import display, wait_for, x11_env  # noqa: F401 - the Xvfb fixture

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(
        not (shutil.which("Xvfb") and shutil.which("xdotool")),
        reason="needs Xvfb and xdotool (apt-get install xvfb xdotool)",
    ),
]

# Another application: a plain X window that takes the focus and prints every key it receives.
OTHER_CLIENT = textwrap.dedent(
    """
    import sys
    from Xlib import X
    from Xlib.display import Display
    d = Display()
    root = d.screen().root
    w = root.create_window(0, 0, 300, 200, 0, d.screen().root_depth, event_mask=X.KeyPressMask | X.ExposureMask)
    w.set_wm_name("other-app")
    w.map()
    d.sync()
    print("ready", w.id, flush=True)
    while True:
        e = d.next_event()
        if e.type == X.KeyPress:
            print("key", d.keycode_to_keysym(e.detail, 0), flush=True)
    """
)


def test_the_shortcut_does_not_reach_the_focused_window(display, qtbot, monkeypatch) -> None:  # noqa: F811
    from Xlib import XK

    from ui.hotkey import GlobalHotkey

    space, letter_a = XK.string_to_keysym("space"), XK.string_to_keysym("a")
    env = x11_env(display)
    monkeypatch.setenv("DISPLAY", display)
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_CLIENT], env=env, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    hotkey = GlobalHotkey("<ctrl>+<alt>+<space>")
    try:
        ready = other.stdout.readline().split()
        assert ready[0] == "ready"
        window = ready[1]
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True, timeout=20)
        hotkey.start()
        assert hotkey.exclusive

        with qtbot.waitSignal(hotkey.pressed_at, timeout=10_000):
            subprocess.run(["xdotool", "keydown", "ctrl+alt+space"], env=env, check=True, timeout=20)
        with qtbot.waitSignal(hotkey.released_at, timeout=10_000):
            subprocess.run(["xdotool", "keyup", "ctrl+alt+space"], env=env, check=True, timeout=20)
        subprocess.run(["xdotool", "key", "a"], env=env, check=True, timeout=20)  # reaches the window
        keys: list[int] = []  # keysyms the other window received
        deadline = time.monotonic() + 10
        while letter_a not in keys and time.monotonic() < deadline:
            line = other.stdout.readline().split()
            if line and line[0] == "key":
                keys.append(int(line[1]))
        assert letter_a in keys, keys
        assert space not in keys, keys  # the shortcut's space never reached the focused window
    finally:
        hotkey.stop()
        other.kill()
        other.wait(5)


def test_a_shortcut_another_application_holds_falls_back_to_listening(display, qtbot, monkeypatch) -> None:  # noqa: F811
    from ui.x11_grab import GrabError, X11KeyGrab

    monkeypatch.setenv("DISPLAY", display)
    first = X11KeyGrab("<ctrl>+<alt>+k", lambda: None, lambda: None)
    first.start()
    try:
        with pytest.raises(GrabError, match="Another application"):
            X11KeyGrab("<ctrl>+<alt>+k", lambda: None, lambda: None).start()
    finally:
        first.stop()


def _hold(env: dict[str, str], seconds: float) -> None:
    subprocess.run(["xdotool", "keydown", "ctrl+alt+j"], env=env, check=True, timeout=20)
    time.sleep(seconds)  # the server's auto-repeat starts after ~660 ms and repeats ~25 times a second
    subprocess.run(["xdotool", "keyup", "ctrl+alt+j"], env=env, check=True, timeout=20)


@pytest.mark.timeout(240)
def test_holding_the_shortcut_is_one_press_and_one_release_ten_times_in_ten(display, monkeypatch) -> None:  # noqa: F811
    """X11 repeats a held key as release+press pairs; the press of a pair can reach Aris after its release.
    Each of ten holds of the push-to-talk key, long enough to repeat, must be one press and one release."""
    from ui.x11_grab import X11KeyGrab

    env = x11_env(display)
    monkeypatch.setenv("DISPLAY", display)
    seen: list[str] = []
    grab = X11KeyGrab("<ctrl>+<alt>+j", lambda: seen.append("press"), lambda: seen.append("release"))
    grab.start()
    try:
        for hold in range(10):
            _hold(env, 1.5)
            wait_for(lambda n=hold: seen.count("release") > n, 10, f"release {hold + 1}")
            time.sleep(0.3)  # anything late would show up now
            assert seen == ["press", "release"] * (hold + 1), f"hold {hold + 1}: {seen}"
    finally:
        grab.stop()


@pytest.mark.timeout(240)
def test_in_toggle_mode_a_held_shortcut_starts_once_and_the_next_press_finishes(display, monkeypatch) -> None:  # noqa: F811
    """Toggle mode through the real grab: a long press with auto-repeat starts listening and nothing else;
    the next press finishes the question. Five questions in a row."""
    from app.config import HotkeyMode
    from ui.push_to_talk import Action, PushToTalk
    from ui.x11_grab import X11KeyGrab

    env = x11_env(display)
    monkeypatch.setenv("DISPLAY", display)
    toggle = PushToTalk(HotkeyMode.TOGGLE)
    actions: list[Action] = []

    def on(action: Action) -> None:
        if action is not Action.NONE:
            actions.append(action)

    grab = X11KeyGrab(
        "<ctrl>+<alt>+j",
        lambda: on(toggle.press(time.monotonic())),
        lambda: on(toggle.release(time.monotonic())),
    )
    grab.start()
    try:
        for question in range(5):
            _hold(env, 1.2)  # held long enough to repeat: still one start
            wait_for(lambda n=question: len(actions) > 2 * n, 10, f"start {question + 1}")
            time.sleep(0.3)
            assert toggle.listening
            _hold(env, 0.1)
            wait_for(lambda n=question: len(actions) > 2 * n + 1, 10, f"finish {question + 1}")
            time.sleep(0.3)
            assert not toggle.listening
            assert actions == [Action.START, Action.FINISH] * (question + 1), actions
    finally:
        grab.stop()
