"""Light and dark looks: the dark one is the light stylesheet with each colour mapped by the role it plays
(surfaces and borders, or text), so the two never drift apart. "System" follows Qt's colour scheme."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.config import Theme
from ui.resources import stylesheet

SURFACES = {
    "#F8FAFC": "#0F172A",
    "#FFFFFF": "#1E293B",
    "#F1F5F9": "#111827",
    "#F3F4F6": "#334155",
    "#F9FAFB": "#273449",
    "#E5E7EB": "#334155",
    "#D1D5DB": "#475569",
    "#9CA3AF": "#64748B",
    "#EEF2FF": "#312E81",
    "#C7D2FE": "#3730A3",
    "#FFFBEB": "#422006",
    "#FDE68A": "#854D0E",
    "#FEF2F2": "#450A0A",
    "#FECACA": "#7F1D1D",
    "#FCA5A5": "#7F1D1D",
    "#EFF6FF": "#172554",
    "#BFDBFE": "#1E3A8A",
    "#6B7280": "#94A3B8",
}
"""Backgrounds and borders, light → dark."""
TEXT = {
    "#1F2937": "#E5E7EB",
    "#111827": "#F1F5F9",
    "#374151": "#D1D5DB",
    "#4B5563": "#CBD5E1",
    "#6B7280": "#94A3B8",
    "#9CA3AF": "#64748B",  # disabled buttons only: dimmer than any enabled text, as in the light look
    "#4338CA": "#A5B4FC",
    "#312E81": "#E0E7FF",
    "#B91C1C": "#FCA5A5",
}
"""Text colours, light → dark (white text on the accent stays white)."""

_DECLARATION = re.compile(r"^(\s*)([a-z-]+)(\s*:\s*)([^;]*);", re.MULTILINE)
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def dark_stylesheet(light: str) -> str:
    """The dark variant of a light stylesheet."""

    def declaration(match: re.Match[str]) -> str:
        indent, prop, colon, value = match.groups()
        table = TEXT if prop in ("color", "selection-color") else SURFACES
        if prop == "background" and "QToolTip" in light[: match.start()].rsplit("}", 1)[-1]:
            return match.group(0)  # tooltips are dark already
        value = _HEX.sub(lambda hex_: table.get(hex_.group(0).upper(), hex_.group(0)), value)
        return f"{indent}{prop}{colon}{value};"

    return _DECLARATION.sub(declaration, light)


def is_dark(theme: Theme) -> bool:
    """Whether this setting means the dark look now."""
    if theme is Theme.SYSTEM:
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return theme is Theme.DARK


def apply_theme(app: QApplication, theme: Theme) -> bool:
    """Restyle the whole application; True when the dark look is on."""
    dark = is_dark(theme)
    app.setPalette(_dark_palette() if dark else app.style().standardPalette())
    light = stylesheet()
    app.setStyleSheet(dark_stylesheet(light) if dark else light)
    app.setProperty("aris_dark", dark)
    return dark


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#0F172A"),
        (QPalette.ColorRole.WindowText, "#E5E7EB"),
        (QPalette.ColorRole.Base, "#1E293B"),
        (QPalette.ColorRole.AlternateBase, "#273449"),
        (QPalette.ColorRole.Text, "#E5E7EB"),
        (QPalette.ColorRole.Button, "#1E293B"),
        (QPalette.ColorRole.ButtonText, "#E5E7EB"),
        (QPalette.ColorRole.Highlight, "#6366F1"),
        (QPalette.ColorRole.HighlightedText, "#FFFFFF"),
        (QPalette.ColorRole.ToolTipBase, "#111827"),
        (QPalette.ColorRole.ToolTipText, "#F9FAFB"),
        (QPalette.ColorRole.PlaceholderText, "#94A3B8"),
    ):
        palette.setColor(role, QColor(color))
    return palette
