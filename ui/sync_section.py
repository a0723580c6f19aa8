"""The sync account section of the settings dialog. A placeholder: the sync issue replaces this widget's
contents, so the dialog only knows its class."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget


class SyncSection(QGroupBox):
    """Sync account: sign-in and status go here."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sync account", parent)
        note = QLabel(
            "Sync keeps your memories in step across your computers, end-to-end encrypted. "
            "It is not set up in this version: everything stays on this computer.",
            self,
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
