"""The user's database, with its write-ahead log, is readable by its owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.storage.database import open_database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_log_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "aris.db"
        db = open_database(path)
        db.execute("CREATE TABLE IF NOT EXISTS probe (x)")
        db.execute("INSERT INTO probe VALUES (1)")
        db.conn.commit()
        assert _mode(path) == 0o600
        wal = tmp_path / "aris.db-wal"
        assert wal.exists() and _mode(wal) == 0o600
        db.conn.close()
    finally:
        os.umask(old)


def test_an_existing_database_readable_by_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "aris.db"
    open_database(path).conn.close()
    path.chmod(0o644)
    open_database(path).conn.close()
    assert _mode(path) == 0o600
