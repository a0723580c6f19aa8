"""Dialogs for problems found while the desktop app starts: a data folder it cannot use, a settings file it
cannot read. A user who started Aris from a menu sees no terminal, so these must be windows."""

from __future__ import annotations

import enum
import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

log = logging.getLogger(__name__)

DATA_DIR_HELP = (
    "Aris keeps your conversations, memories and settings in this folder, so it cannot start without it.\n\n"
    "Make the folder writable (or free some disk space), or start Aris with another folder:\n"
    "    python main.py --data-dir /path/to/folder"
)


def _application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
        app.setApplicationDisplayName("Aris")
    return app


def show_start_error(message: str) -> None:
    """Aris cannot start (its data folder is unusable): explain and offer the fix, then let it exit."""
    _application()
    box = QMessageBox(
        QMessageBox.Icon.Critical, "Aris cannot start", message, QMessageBox.StandardButton.Close
    )
    box.setObjectName("startError")
    box.setInformativeText(DATA_DIR_HELP)
    box.exec()


class SettingsChoice(enum.Enum):
    """What the user chose for a settings file Aris cannot read."""

    RESET = "reset"
    """Keep the broken file as settings.json.broken and start from the defaults (saved normally)."""
    KEEP = "keep"
    """Use the defaults and leave the file alone until the user saves in Settings (then it is set aside)."""
    QUIT = "quit"
    """Quit, to fix the file by hand."""


def ask_about_broken_settings(
    problem: str, settings_file: Path, parent: QWidget | None = None
) -> SettingsChoice:
    """Explain that the settings file is unreadable and let the user choose what happens."""
    box = QMessageBox(parent)
    box.setObjectName("brokenSettings")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Settings file damaged")
    box.setText("Aris cannot read its settings file.")
    box.setInformativeText(
        f"{problem}\n\nFile: {settings_file}\n\n"
        "“Start fresh” keeps a copy of the damaged file next to it (settings.json.broken) and uses the "
        "default settings, which you can change and save as usual.\n"
        "“Use defaults for now” leaves the file untouched until you press Save in Settings.\n"
        "“Quit” lets you fix the file by hand first."
    )
    reset = box.addButton("Start fresh", QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton("Use defaults for now", QMessageBox.ButtonRole.ActionRole)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(reset)
    box.setEscapeButton(quit_button)
    box.exec()
    clicked = box.clickedButton()
    if clicked is reset:
        return SettingsChoice.RESET
    if clicked is keep:
        return SettingsChoice.KEEP
    return SettingsChoice.QUIT


def set_aside(settings_file: Path) -> Path:
    """Move a damaged settings file to settings.json.broken so the defaults can be saved in its place."""
    broken = settings_file.with_name(settings_file.name + ".broken")
    settings_file.replace(broken)
    log.warning("Moved the unreadable settings file to %s", broken)
    return broken
