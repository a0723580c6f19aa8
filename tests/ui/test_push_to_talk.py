"""Hold-to-talk and click-to-toggle from one press/release logic."""

from __future__ import annotations

from app.config import HotkeyMode
from ui.push_to_talk import HOLD_SECONDS, Action, PushToTalk


def test_holding_talks_until_release() -> None:
    ptt = PushToTalk()
    assert ptt.press(0.0) is Action.START
    assert ptt.release(HOLD_SECONDS + 0.5) is Action.FINISH
    assert not ptt.listening


def test_a_click_toggles() -> None:
    ptt = PushToTalk()
    assert ptt.press(0.0) is Action.START
    assert ptt.release(0.1) is Action.NONE and ptt.listening
    assert ptt.press(3.0) is Action.FINISH
    assert ptt.release(3.1) is Action.NONE and not ptt.listening


def test_hotkey_modes_are_strict() -> None:
    hold = PushToTalk(HotkeyMode.HOLD)
    hold.press(0.0)
    assert hold.release(0.05) is Action.FINISH  # even a short tap ends the question in hold mode
    toggle = PushToTalk(HotkeyMode.TOGGLE)
    toggle.press(0.0)
    assert toggle.release(5.0) is Action.NONE and toggle.listening
    assert toggle.press(6.0) is Action.FINISH


def test_key_auto_repeat_is_ignored_and_reset_clears() -> None:
    ptt = PushToTalk(HotkeyMode.HOLD)
    assert ptt.press(0.0) is Action.START
    assert ptt.press(0.1) is Action.NONE
    ptt.reset()
    assert ptt.release(0.2) is Action.NONE and not ptt.listening


def test_wayland_gets_the_desktop_shortcut_advice() -> None:
    from ui.hotkey import hotkey_support

    wayland = hotkey_support({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"})
    assert not wayland.available and "python main.py talk" in wayland.reason
    assert not hotkey_support({}).available
    assert hotkey_support({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}).available


def test_pausing_speech_silences_now_and_drops_what_follows() -> None:
    import numpy as np

    from engine.audio import AudioChunk, WavSink
    from ui.audio_io import GatedSink

    inner = WavSink()
    sink = GatedSink(inner)
    chunk = AudioChunk(np.zeros(2205, np.float32), 22050)
    sink.play(chunk)
    sink.set_paused(True)
    sink.play(chunk)
    assert len(inner.audio()) == 2205 and sink.paused
    sink.set_paused(False)
    sink.play(chunk)
    assert len(inner.audio()) == 4410
