"""Noticing a full disk, so it is reported as such (507, `/health`) instead of as an internal error."""

from __future__ import annotations

import errno
import logging
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from server.db import Database

log = logging.getLogger(__name__)

# PostgreSQL's SQLSTATE for "disk full".
_PG_DISK_FULL = "53100"
# A disk-full error keeps /health degraded this long unless a write succeeds first.
_FULL_MEMORY_S = 60.0
# Below this much free space on a SQLite database's file system, /health calls the storage full.
MIN_FREE_BYTES = 4 * 1024 * 1024


def is_disk_full(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database's storage is full."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.OperationalError) and (
            getattr(current, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
            or "disk is full" in str(current)
        ):
            return True
        if getattr(current, "sqlstate", None) == _PG_DISK_FULL:
            return True
        if isinstance(current, OSError) and current.errno == errno.ENOSPC:
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


class StorageMonitor:
    """Whether the database's storage is full: from recent disk-full errors, and for SQLite the free space."""

    def __init__(self, database: Database, min_free_bytes: int = MIN_FREE_BYTES) -> None:
        name = database.url.database
        self._folder = (
            Path(name).resolve().parent if database.is_sqlite and name and name != ":memory:" else None
        )
        self._min_free = min_free_bytes
        self._lock = threading.Lock()
        self._full_since: float | None = None

    def mark_full(self) -> None:
        """A write just failed for lack of space."""
        with self._lock:
            if self._full_since is None:
                log.error("The database's storage is full: pushes are refused until space is freed")
            self._full_since = time.monotonic()

    def mark_ok(self) -> None:
        """A write just succeeded."""
        with self._lock:
            self._full_since = None

    def is_full(self) -> bool:
        """Whether writes are likely to fail for lack of space now."""
        with self._lock:
            if self._full_since is not None and time.monotonic() - self._full_since < _FULL_MEMORY_S:
                return True
        if self._folder is None:
            return False
        try:
            return shutil.disk_usage(self._folder).free < self._min_free
        except OSError:
            return False
