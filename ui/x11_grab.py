"""An exclusive global shortcut on X11: `XGrabKey` on the root window (python-xlib, which pynput already
depends on), so the key press goes to Aris only and never types into the focused application. pynput's
listener only watches keys and cannot hold one back on X11."""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

POLL_S = 0.25
"""How often the grab thread looks up from waiting on the X connection to see whether it should stop."""
REPEAT_WAIT_S = 0.05
"""After a release, how long to wait for the press that would make it an auto-repeat pair (same server time).
The pair is sent together, but the press can reach us a read later on a busy machine; a real release is
reported this much later, which push-to-talk does not notice."""

_MODIFIERS = {"ctrl": "ControlMask", "alt": "Mod1Mask", "shift": "ShiftMask", "cmd": "Mod4Mask"}
_KEY_NAMES = {"esc": "Escape", "enter": "Return", "page_up": "Prior", "page_down": "Next"}


class GrabError(Exception):
    """The shortcut cannot be grabbed (another application holds it, or the key is unknown)."""


def parse_x11_combo(combo: str) -> tuple[list[str], str]:
    """(modifier mask names, keysym name) of a pynput combo such as ``<ctrl>+<alt>+<space>``."""
    modifiers: list[str] = []
    key = ""
    for part in combo.lower().split("+"):
        name = part.strip("<>")
        base = name.removesuffix("_l").removesuffix("_r")
        if base in _MODIFIERS:
            modifiers.append(_MODIFIERS[base])
        elif key:
            raise GrabError(f"The shortcut '{combo}' has more than one key besides the modifiers.")
        else:
            key = _KEY_NAMES.get(name, name.upper() if len(name) > 1 and name[0] == "f" else name)
    if not key:
        raise GrabError(f"The shortcut '{combo}' has no key besides the modifiers.")
    return modifiers, key


class X11KeyGrab:
    """Grabs one key combination on the X server and reports its presses and releases from its thread."""

    def __init__(self, combo: str, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        self.combo = combo
        self._on_press = on_press
        self._on_release = on_release
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._display = None
        self._grabs: list[tuple[int, int]] = []

    def start(self) -> None:
        """Grab the keys (raises GrabError if that fails) and start the event thread."""
        from Xlib import XK, X, error
        from Xlib.display import Display

        modifier_names, key_name = parse_x11_combo(self.combo)
        try:
            display = Display()
        except (error.DisplayError, error.ConnectionClosedError) as problem:
            raise GrabError(f"Cannot connect to the X server ({problem}).") from problem
        keysym = XK.string_to_keysym(key_name)
        keycode = display.keysym_to_keycode(keysym) if keysym else 0
        if not keycode:
            display.close()
            raise GrabError(f"The key '{key_name}' is not on this keyboard.")
        mask = 0
        for name in modifier_names:
            mask |= getattr(X, name)
        root = display.screen().root
        catcher = error.CatchError(error.BadAccess)
        # Lock keys count as modifiers to X: grab with and without Caps Lock and Num Lock (Mod2).
        for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):
            root.grab_key(keycode, mask | extra, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
            self._grabs.append((keycode, mask | extra))
        display.sync()
        if catcher.get_error():
            display.close()
            self._grabs = []
            raise GrabError(f"Another application already uses the shortcut '{self.combo}'.")
        self._display = display
        self._keycode = keycode
        self._thread = threading.Thread(target=self._run, name="aris-hotkey-grab", daemon=True)
        self._thread.start()
        log.info("Grabbed %s exclusively on X11", self.combo)

    def stop(self) -> None:
        """Release the grab and end the thread (within POLL_S)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2 * POLL_S + 1)
            self._thread = None

    def _run(self) -> None:
        from Xlib import X

        display = self._display
        assert display is not None
        root = display.screen().root
        down = False
        held_back = None
        try:
            while not self._stop.is_set():
                if held_back is not None:
                    event, held_back = held_back, None
                else:
                    if not display.pending_events():
                        readable, _, _ = select.select([display.fileno()], [], [], POLL_S)
                        if not readable:
                            continue
                    event = display.next_event()
                if event.type == X.KeyPress and event.detail == self._keycode:
                    if not down:
                        down = True
                        self._on_press()
                elif event.type == X.KeyRelease and event.detail == self._keycode:
                    if self._event_arrives(display, REPEAT_WAIT_S):
                        # A held key repeats as release+press pairs with the same time: not a real release.
                        following = display.next_event()
                        if (
                            following.type == X.KeyPress
                            and following.detail == event.detail
                            and following.time == event.time
                        ):
                            continue
                        held_back = following
                    down = False
                    self._on_release()
        finally:
            for keycode, modifiers in self._grabs:
                root.ungrab_key(keycode, modifiers)
            display.sync()
            display.close()
            self._display = None

    @staticmethod
    def _event_arrives(display: Any, within_s: float) -> bool:
        """Whether an event is queued, or reaches the connection within ``within_s``."""
        if display.pending_events():
            return True
        readable, _, _ = select.select([display.fileno()], [], [], within_s)
        return bool(readable) and display.pending_events() > 0
