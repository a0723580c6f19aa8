"""Icons and the stylesheet, loaded from ``resources/`` through the one function that knows frozen builds."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from models.locate import resource_path

TRAY_SIZES = (16, 22, 24, 32, 48, 64)
APP_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


@cache
def app_icon() -> QIcon:
    """Aris's icon at every rendered size."""
    icon = QIcon()
    for size in APP_SIZES:
        icon.addFile(str(resource_path("icons", f"aris-{size}.png")))
    return icon


@cache
def tray_icon(variant: str) -> QIcon:
    """The tray icon for a state (idle, listening, transcribing, thinking, speaking, muted, loading)."""
    icon = QIcon()
    for size in TRAY_SIZES:
        icon.addFile(str(resource_path("icons", f"tray-{variant}-{size}.png")))
    return icon


def stylesheet() -> str:
    """The application's QSS; empty when the file is missing so the app still starts."""
    path = resource_path("style.qss")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    # QSS resolves url() against the working directory; point it at our resources wherever they are.
    return text.replace("@RESOURCES@", resource_path().as_posix())
