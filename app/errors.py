"""Application errors: a stable code and a sentence for the user; the CLI prints the sentence, not a traceback."""

from __future__ import annotations


class ArisError(Exception):
    """Base for every error the app raises on purpose for a person to read."""

    code = "aris_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SettingsError(ArisError):
    """The settings file is unreadable or holds invalid values."""

    code = "settings_invalid"


class DataDirError(ArisError):
    """The data folder cannot be created or written (permissions, full disk)."""

    code = "data_dir"
