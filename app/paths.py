"""Where Aris keeps the user's state. One root folder: --data-dir, else $ARIS_DATA_DIR, else the platform's
user data folder. Everything (settings, database, index, caches, logs) lives under it."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "ARIS_DATA_DIR"


@dataclass(frozen=True)
class DataPaths:
    """The files and folders under one data root."""

    root: Path

    @property
    def settings_file(self) -> Path:
        """User settings (JSON)."""
        return self.root / "settings.json"

    @property
    def database(self) -> Path:
        """The SQLite database: the source of truth for conversations and memories."""
        return self.root / "aris.db"

    @property
    def documents_database(self) -> Path:
        """The index of the user's documents (folders, files, passages, their vectors): a database of its
        own, never synced, rebuilt from the files whenever it is lost."""
        return self.root / "documents.db"

    @property
    def chroma_dir(self) -> Path:
        """Chroma's folder: derived data, rebuilt from the database when missing or damaged."""
        return self.root / "chroma"

    @property
    def cache_dir(self) -> Path:
        """Caches that can be deleted at any time (verified model checksums)."""
        return self.root / "cache"

    @property
    def models_dir(self) -> Path:
        """Downloaded models, one folder per catalogue id (partial downloads under .staging/)."""
        return self.root / "models"

    @property
    def log_dir(self) -> Path:
        """Log files."""
        return self.root / "logs"

    @property
    def socket_name(self) -> str:
        """Name of the local socket the running instance listens on (unique per data folder)."""

        return "aris-" + hashlib.sha1(str(self.root.resolve()).encode()).hexdigest()[:12]

    def ensure(self) -> DataPaths:
        """Create the root folder; a clear error if that is impossible."""
        # Imported here: app.errors loads the model catalogue (pydantic, ~100 ms), and `python main.py talk`
        # resolves its socket through this module with a 300 ms budget.
        from app.errors import DataDirError

        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DataDirError(f"Cannot create the data folder {self.root}: {error.strerror}.") from error
        if not os.access(self.root, os.W_OK):
            raise DataDirError(
                f"The data folder {self.root} is not writable. Choose another with --data-dir."
            )
        return self


def resolve_data_paths(data_dir: str | os.PathLike[str] | None = None) -> DataPaths:
    """The data root from an explicit folder, the environment, or the platform default."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir("aris", appauthor=False)
    return DataPaths(Path(chosen).expanduser().absolute())
