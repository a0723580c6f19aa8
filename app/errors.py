"""Application errors: a stable code and a sentence for the user; the CLI prints the sentence, not a traceback."""

from __future__ import annotations

from models.errors import ArisError

__all__ = ["ArisError", "DataDirError", "SettingsError"]


class SettingsError(ArisError):
    """The settings file is unreadable or holds invalid values."""

    code = "settings_invalid"


class DataDirError(ArisError):
    """The data folder cannot be created or written (permissions, full disk)."""

    code = "data_dir"
