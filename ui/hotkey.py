"""The global push-to-talk shortcut. pynput sees keys pressed in any application, but only on X11; on
Wayland the desktop's own shortcut settings must run `python main.py talk` instead."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from ui.x11_grab import GrabError, X11KeyGrab

log = logging.getLogger(__name__)

WAYLAND_HELP = (
    "Global shortcuts from apps do not work on Wayland. Add a custom shortcut in your desktop's keyboard "
    "settings that runs: {command}"
)


@dataclass(frozen=True)
class HotkeySupport:
    """Whether a global hotkey can work in this session, and if not, what the user should do."""

    available: bool
    reason: str = ""


def hotkey_support(
    env: Mapping[str, str] | None = None, talk_command: str = "python main.py talk"
) -> HotkeySupport:
    """X11 sessions support pynput; Wayland sessions and sessions without a display do not."""
    env = os.environ if env is None else env
    if env.get("XDG_SESSION_TYPE") == "wayland" or env.get("WAYLAND_DISPLAY"):
        return HotkeySupport(False, WAYLAND_HELP.format(command=talk_command))
    if not env.get("DISPLAY"):
        return HotkeySupport(False, "There is no X11 display, so the global shortcut is off.")
    return HotkeySupport(True)


def parse_combo(combo: str) -> list[object]:
    """pynput keys of a combo such as ``<ctrl>+<alt>+<space>``.

    Raises:
        ValueError: the combo is not valid pynput syntax.
    """
    from pynput import keyboard

    return list(keyboard.HotKey.parse(combo))


class GlobalHotkey(QObject):
    """Reports presses and releases of one key combination anywhere on the X11 desktop."""

    pressed_at = Signal(float)
    released_at = Signal(float)

    def __init__(self, combo: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.combo = combo
        self._keys = set(parse_combo(combo))
        self._down: set[object] = set()
        self._active = False
        self._listener: Any = None  # a pynput Listener, imported on start
        self._grab: X11KeyGrab | None = None
        self.exclusive = False
        """True when the shortcut is grabbed, so its key press never reaches the focused application."""

    def start(self) -> None:
        """Grab the shortcut on X11 (exclusive); if another application holds it, fall back to pynput's
        listener, which sees the keys but cannot keep them from the focused application.

        Raises:
            ImportError: pynput has no backend for this session (no X display).
        """
        from pynput import keyboard

        grab = X11KeyGrab(self.combo, self._on_grab_press, self._on_grab_release)
        try:
            grab.start()
        except GrabError as problem:
            log.warning("No exclusive shortcut (%s); listening with pynput instead", problem)
        else:
            self._grab = grab
            self.exclusive = True
            log.info("Global hotkey %s is active", self.combo)
            return
        self._listener = keyboard.Listener(on_press=self._on_press, on_release=self._on_release)
        self._listener.start()
        self._listener.wait()
        log.info("Global hotkey %s is active", self.combo)

    def stop(self) -> None:
        """Stop listening; the grab's or pynput's thread ends."""
        if self._grab is not None:
            self._grab.stop()
            self._grab = None
        if self._listener is not None:
            self._listener.stop()
            self._listener.join(2.0)
            self._listener = None

    def _on_grab_press(self) -> None:
        log.info("Hotkey pressed")
        self.pressed_at.emit(time.monotonic())

    def _on_grab_release(self) -> None:
        log.info("Hotkey released")
        self.released_at.emit(time.monotonic())

    def _canonical(self, key: object) -> object:
        return self._listener.canonical(key) if self._listener is not None else key

    def _on_press(self, key: object) -> None:
        self._down.add(self._canonical(key))
        if not self._active and self._keys <= self._down:
            self._active = True
            log.info("Hotkey pressed")
            self.pressed_at.emit(time.monotonic())

    def _on_release(self, key: object) -> None:
        canonical = self._canonical(key)
        self._down.discard(canonical)
        if self._active and canonical in self._keys:
            self._active = False
            log.info("Hotkey released")
            self.released_at.emit(time.monotonic())
