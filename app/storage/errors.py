"""Storage errors: a stable code and a sentence for the user (a full disk says so plainly)."""

from __future__ import annotations

import errno
from pathlib import Path

from app.errors import ArisError
from app.storage.sqlite import sqlite3


class StorageError(ArisError):
    """The database could not be read or written."""

    code = "storage_error"


class StorageFullError(StorageError):
    """The disk (or the database's size limit) is full; nothing was written."""

    code = "storage_full"


class StorageCorruptError(StorageError):
    """The database file is damaged or is not an Aris database."""

    code = "storage_corrupt"


def storage_error(error: BaseException, action: str, path: Path | None = None) -> StorageError:
    """The coded error for a failed SQLite or file operation; ``action`` says what was being done."""
    where = f" ({path})" if path else ""
    text = str(error).lower()
    is_full = "disk is full" in text or (isinstance(error, OSError) and error.errno == errno.ENOSPC)
    if is_full:
        return StorageFullError(
            f"Could not {action}: the disk is full{where}. Free some space and try again; nothing was changed."
        )
    if isinstance(error, sqlite3.DatabaseError) and (
        "malformed" in text or "not a database" in text or "file is encrypted" in text
    ):
        return StorageCorruptError(
            f"Could not {action}: the database{where} is damaged or is not an Aris database ({error})."
        )
    if "locked" in text or "busy" in text:
        return StorageError(f"Could not {action}: the database{where} is in use by another Aris process.")
    return StorageError(f"Could not {action}{where}: {error}.")
