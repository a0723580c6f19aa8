"""The window's size and place, and whether the memory browser was open, kept between runs in the data
folder (window.ini), so each data folder (and each test) has its own."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QWidget

from app.paths import DataPaths


class WindowState:
    """Reads and writes window.ini in the data folder."""

    def __init__(self, paths: DataPaths) -> None:
        self._settings = QSettings(str(paths.root / "window.ini"), QSettings.Format.IniFormat)

    def save(self, window: QWidget, *, memory_open: bool) -> None:
        """Remember the geometry and the open panel."""
        self._settings.setValue("main/geometry", window.saveGeometry())
        self._settings.setValue("main/memory_open", memory_open)
        self._settings.sync()

    def restore(self, window: QWidget) -> None:
        """Put the window back where it was (no-op on the first run)."""
        geometry = self._settings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            window.restoreGeometry(geometry)

    @property
    def memory_open(self) -> bool:
        """Whether the memory browser was open when Aris last closed."""
        return str(self._settings.value("main/memory_open", "false")).lower() == "true"

    @property
    def model_suggested(self) -> bool:
        """Whether the first-run tip about a better chat model was shown (it is shown once)."""
        return str(self._settings.value("tips/model_suggested", "false")).lower() == "true"

    def mark_model_suggested(self) -> None:
        """Remember that the tip was shown."""
        self._settings.setValue("tips/model_suggested", True)
        self._settings.sync()
