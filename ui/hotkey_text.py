"""Translate between Qt's key sequences (what the settings dialog records) and pynput's hotkey syntax
(what the global listener needs)."""

from __future__ import annotations

_MODIFIERS = {"ctrl": "<ctrl>", "alt": "<alt>", "shift": "<shift>", "meta": "<cmd>"}
_NAMED = {
    "space": "<space>",
    "tab": "<tab>",
    "esc": "<esc>",
    "return": "<enter>",
    "enter": "<enter>",
    "backspace": "<backspace>",
    "pause": "<pause>",
    "ins": "<insert>",
    "del": "<delete>",
    "home": "<home>",
    "end": "<end>",
    "pgup": "<page_up>",
    "pgdown": "<page_down>",
}


def qt_to_pynput(portable: str) -> str:
    """``Ctrl+Alt+Space`` -> ``<ctrl>+<alt>+<space>``.

    Raises:
        ValueError: empty, or a key pynput cannot name.
    """
    parts = [part.strip() for part in portable.split("+") if part.strip()]
    if not parts:
        raise ValueError("Press a key combination")
    out = []
    for part in parts:
        key = part.lower()
        if key in _MODIFIERS:
            out.append(_MODIFIERS[key])
        elif key in _NAMED:
            out.append(_NAMED[key])
        elif key.startswith("f") and key[1:].isdigit():
            out.append(f"<{key}>")
        elif len(key) == 1:
            out.append(key)
        else:
            raise ValueError(f"The key '{part}' cannot be used in a global shortcut")
    return "+".join(out)


def pynput_to_qt(combo: str) -> str:
    """``<ctrl>+<alt>+<space>`` -> ``Ctrl+Alt+Space`` (for showing the setting)."""
    reverse = {v: k for k, v in {**_MODIFIERS, **_NAMED}.items()}
    out = []
    for part in combo.split("+"):
        name = reverse.get(part, part.strip("<>"))
        out.append(
            name.upper()
            if len(name) <= 3 and name.startswith("f") and name[1:].isdigit()
            else name.capitalize()
        )
    return "+".join(out)
