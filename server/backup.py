"""`python -m server backup DEST` and `python -m server restore [SRC]`: consistent copies and safe restores.

SQLite: the online backup API copies a consistent snapshot while the server runs (WAL included), which copying
`server.db` alone does not. PostgreSQL: `pg_dump`/`pg_restore` (custom format), which must be on PATH.

Both stamp a new feed epoch (`server.epoch`): the backup when it is written, and the database again after a
restore. Devices then notice that the server went back in time and resynchronise fully instead of trusting
cursors the restored server never issued.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from server.db import Database, secure_sqlite_file
from server.epoch import EPOCH_KEY, new_epoch, set_epoch
from server.errors import ServerCommandError
from server.migrate import upgrade_to_head

log = logging.getLogger(__name__)


def backup(database_url: str, dest: Path) -> None:
    """Write a consistent copy of the database to `dest` (which must not exist yet), readable by the owner only."""
    if dest.exists():
        raise ServerCommandError(f"{dest} already exists; choose a new file name for the backup.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.is_file():
            raise ServerCommandError(f"There is no database at {source} to back up.")
        secure_sqlite_file(dest)
        with _sqlite(source) as src, _sqlite(dest) as copy:
            src.backup(copy)
            # The copy gets an epoch of its own, so restoring it by any means (even `cp`) is noticed.
            copy.execute("UPDATE server_meta SET value = ? WHERE key = ?", (new_epoch(), EPOCH_KEY))
            copy.commit()
            copy.execute("PRAGMA journal_mode=DELETE")
    else:
        secure_sqlite_file(dest)  # an empty 0600 file that pg_dump then fills
        _run_pg("pg_dump", url, ["--format=custom", "--no-owner", f"--file={dest}"])
    log.info("Backup written to %s", dest)


def restore(database_url: str, source: Path | None) -> None:
    """Replace the database with the backup `source` (the server must be stopped), then start a new epoch.

    Without `source`, only start a new epoch: for a database restored some other way (a `pg_restore` run by
    hand, a file-system snapshot), so devices resynchronise with it.
    """
    url = make_url(database_url)
    if source is not None:
        if not source.is_file():
            raise ServerCommandError(f"There is no backup file at {source}.")
        if url.get_backend_name() == "sqlite":
            _restore_sqlite(source, _sqlite_path(url))
        else:
            _run_pg(
                "pg_restore",
                url,
                ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(source)],
            )
    database = Database(database_url)
    try:
        upgrade_to_head(database)  # a backup from an older server version
        with database.write() as session:
            set_epoch(session, new_epoch())
    finally:
        database.dispose()
    log.info("Database restored; devices will resynchronise with it")


def _restore_sqlite(source: Path, target: Path) -> None:
    with _sqlite(source) as backup_db:
        if backup_db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise ServerCommandError(f"{source} is damaged; nothing was restored.")
        tables = {row[0] for row in backup_db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "records" not in tables:
            raise ServerCommandError(f"{source} is not a sync server backup; nothing was restored.")
        secure_sqlite_file(target)
        with _sqlite(target) as live:
            # Through the backup API, so the live file's WAL is handled by SQLite rather than left stale.
            backup_db.backup(live)


def _sqlite(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, timeout=15)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise ServerCommandError(f"{path} is not a SQLite database: {error}.") from error
    return connection


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise ServerCommandError("An in-memory database cannot be backed up or restored.")
    return Path(url.database)


def _run_pg(tool: str, url: URL, arguments: list[str]) -> None:
    program = shutil.which(tool)
    if program is None:
        raise ServerCommandError(
            f"{tool} is not installed; install PostgreSQL's client tools (postgresql-client)."
        )
    # The password goes through the environment, not the command line other users can see.
    env = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run(
        [program, f"--dbname={target}", *arguments], capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no details"])[-1]
        raise ServerCommandError(f"{tool} failed: {detail}")
