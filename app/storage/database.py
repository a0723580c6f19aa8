"""Open the Aris database: WAL mode, full fsync on commit, migrations applied, errors translated."""

from __future__ import annotations

import logging
import os
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from app.storage.clock import HybridClock
from app.storage.errors import StorageCorruptError, storage_error
from app.storage.migrations import migrations
from app.storage.sqlite import FTS5_SECURE_DELETE, sqlite3

log = logging.getLogger(__name__)

_BUSY_TIMEOUT_MS = 5000
_OPEN_LOCK = threading.Lock()


def open_database(
    path: Path | str,
    *,
    schema: Migrations = migrations,
    full_text_tables: tuple[str, ...] | None = None,
) -> Database:
    """Open (creating if needed) and upgrade the database at ``path``.

    ``schema`` and ``full_text_tables`` are the main database's unless given: the documents index is a
    database of its own (see app/documents/migrations.py), opened the same way.

    WAL lets the app read while a background turn writes; ``synchronous=FULL`` makes every committed write
    survive a crash or power cut, not only a killed process (memory writes are rare, so the fsync is cheap).

    Raises:
        StorageError: the file cannot be opened or upgraded (StorageFullError for a full disk,
            StorageCorruptError for a damaged or foreign file).
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            # Parts of the app open the database from several threads at start-up (the history list's worker,
            # the skills' timers): one at a time, or two of them would both apply the pending migrations.
            with _OPEN_LOCK:
                return _open_and_upgrade(Path(path), schema, full_text_tables or FULL_TEXT_TABLES)
        except sqlite3.OperationalError as error:
            # Another process creating the database: switching to WAL and migrating take locks that SQLite's
            # busy handler does not always wait for. It finishes within milliseconds; then this one sees WAL
            # and no pending migration.
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise storage_error(error, "open the database", Path(path)) from error
            time.sleep(0.05)
        except sqlite3.Error as error:
            raise storage_error(error, "open the database", Path(path)) from error


def _private_file(path: Path) -> None:
    """Create the database readable by its owner only (0600), or tighten an existing one: it holds the
    user's memories and conversations. SQLite gives its -wal and -shm files the main file's permissions.

    The sync server makes its database private the same way (server/db.py); server/ stands alone and is
    deployed without the app, and importing it here would load SQLAlchemy on every start, so each keeps its
    own eight lines."""
    if str(path) == ":memory:":
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("Database file %s was readable by others (%o); now 0600", path, mode)
            path.chmod(0o600)
    except OSError as error:
        # sqlite3.connect below reports a folder that cannot be written to in the user's words.
        log.warning("Could not make %s private: %s", path, error.strerror)


def _open_and_upgrade(path: Path, schema: Migrations, full_text_tables: tuple[str, ...]) -> Database:
    _private_file(path)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=_BUSY_TIMEOUT_MS / 1000)
    try:
        db = Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        # Deleted or overwritten content is zeroed, not left in free space: forgetting must really forget.
        db.execute("PRAGMA secure_delete=ON")
        db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        _check_is_ours(db, path)
        pending = [m.name for m in schema.pending(db)]
        if pending:
            log.info("Upgrading %s: %s", path, ", ".join(pending))
            schema.apply(db)
        _purge_deleted_terms(db, full_text_tables)
    except BaseException:
        conn.close()
        raise
    return db


FULL_TEXT_TABLES = ("memories_fts", "messages_fts")


def _purge_deleted_terms(db: Database, tables: tuple[str, ...]) -> None:
    """Turn on FTS5 ``secure-delete`` (once per database) so that a delete removes the row's terms from the
    index at once; forgetting then needs no rewrite of the whole index. The first time, the index is merged
    ('optimize') to drop what deletes made before left behind. Older SQLite cannot read the index after
    this, which is why every connection uses app.storage.sqlite's driver."""
    if not FTS5_SECURE_DELETE:
        return
    for table in tables:
        row = db.execute(f"SELECT v FROM {table}_config WHERE k = 'secure-delete'").fetchone()
        if row and row[0]:
            continue
        db.conn.execute("BEGIN IMMEDIATE")  # errors reach open_database, which retries while locked
        try:
            db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('secure-delete', 1)")
            db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        db.conn.execute("COMMIT")


def _check_is_ours(db: Database, path: Path) -> None:
    tables = set(db.table_names())
    if tables and "_sqlite_migrations" not in tables:
        raise StorageCorruptError(
            f"{path} is a SQLite database but not an Aris one (tables: {', '.join(sorted(tables)[:5])}). "
            "Choose another data folder."
        )


_LOCKS: dict[int, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def db_lock(db: Database) -> threading.RLock:
    """The lock serialising use of one connection: the app shares it between the turn thread and the
    background learner, and a sqlite3 connection must not run two statements at once."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(id(db.conn), threading.RLock())


@contextmanager
def write(db: Database, action: str) -> Iterator[Database]:
    """One transaction (nested calls become savepoints); a SQLite failure becomes a StorageError saying what
    could not be done, and nothing of the transaction is kept.

    The outermost level starts with BEGIN IMMEDIATE, so a second Aris process (the CLI while the app runs)
    waits for the write lock up front instead of failing half-way with "database is locked".
    """
    with db_lock(db):
        try:
            if db.conn.in_transaction:
                with db.atomic():
                    yield db
                return
            _begin_immediate(db)
            try:
                yield db
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                raise
            db.conn.execute("COMMIT")
        except sqlite3.Error as error:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise storage_error(error, action) from error


WRITE_WAIT_S = 60.0
"""How long a write waits for another Aris process's writes in all (each try waits the busy timeout): the
running app adding a burst of memories holds the write lock again and again, and SQLite's busy handler is
not fair, so a CLI `memory add` used to give up after one busy timeout while its turn was coming."""


def _begin_immediate(db: Database) -> None:
    deadline = time.monotonic() + WRITE_WAIT_S
    while True:
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            text = str(error)
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
            log.info("Another Aris process is writing; waiting for its turn")
            time.sleep(0.02)


def node_clock(db: Database) -> HybridClock:
    """This database's hybrid logical clock, with a node id created once and kept in the meta table."""
    row = db.execute("SELECT value FROM meta WHERE key = 'node_id'").fetchone()
    if row is None:
        node_id = uuid.uuid4().hex[:12]
        with write(db, "initialise the database"):
            db.execute("INSERT INTO meta(key, value) VALUES ('node_id', ?)", [node_id])
    else:
        node_id = row[0]
    clock = HybridClock(node_id)
    for table in ("memories", "messages", "conversations"):
        latest = db.execute(f"SELECT max(hlc) FROM {table}").fetchone()[0]
        if latest and latest[:13].isdigit():
            clock.observe(latest)
    return clock
