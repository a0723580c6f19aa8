"""One press/release logic for the talk button, the tray and the hotkey: hold to talk, or click to toggle.

Plain Python so the rules are tested without Qt."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.config import HotkeyMode

HOLD_SECONDS = 0.35
"""A press held longer than this is hold-to-talk (release ends the question); shorter is a click."""


class Action(StrEnum):
    """What a press or release asks the engine to do."""

    START = "start"
    FINISH = "finish"
    NONE = "none"


@dataclass
class PushToTalk:
    """Tracks one control. ``mode`` None means both: hold it, or click once to start and again to finish."""

    mode: HotkeyMode | None = None
    listening: bool = False
    _pressed_at: float | None = None
    _started_by_press: bool = False

    def press(self, now: float) -> Action:
        """The key or button went down."""
        if self._pressed_at is not None:  # auto-repeat of a held key
            return Action.NONE
        self._pressed_at = now
        if self.listening:
            self.listening = False
            self._started_by_press = False
            return Action.FINISH
        self.listening = True
        self._started_by_press = True
        return Action.START

    def release(self, now: float) -> Action:
        """The key or button came up."""
        pressed_at, self._pressed_at = self._pressed_at, None
        if pressed_at is None or not self._started_by_press or not self.listening:
            return Action.NONE
        self._started_by_press = False
        if self.mode is HotkeyMode.TOGGLE:
            return Action.NONE
        if self.mode is HotkeyMode.HOLD or now - pressed_at >= HOLD_SECONDS:
            self.listening = False
            return Action.FINISH
        return Action.NONE  # a click: keep listening until the next click

    def reset(self) -> None:
        """The engine stopped listening by itself (silence, stop, error)."""
        self.listening = False
        self._started_by_press = False
