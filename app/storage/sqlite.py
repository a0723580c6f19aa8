"""The SQLite driver every Aris database connection uses: pysqlite3's bundled SQLite where it is installed
(the Linux wheels), otherwise Python's own.

Forgetting needs FTS5's ``secure-delete`` (SQLite 3.42+), which purges a deleted row's terms from the index
in place. Debian 12's Python links SQLite 3.40, where the only way to drop them is rewriting the whole index
('optimize', 260 ms at 100,000 memories). sqlite-utils makes the same choice of module, so the error classes
it catches are the ones our connections raise."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
else:
    try:
        import pysqlite3 as sqlite3
    except ImportError:  # no wheel for this platform: Python's own SQLite (3.42+ on current macOS/Windows)
        import sqlite3

__all__ = ["FTS5_SECURE_DELETE", "sqlite3"]

FTS5_SECURE_DELETE = sqlite3.sqlite_version_info >= (3, 42, 0)
"""Whether FTS5 can purge a deleted row's terms in place (else forgetting rewrites the whole index)."""
