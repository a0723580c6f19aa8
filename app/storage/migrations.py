"""Named, append-only schema migrations. Each runs in one transaction with the record of it being applied, so an
old database is upgraded in place or not at all. Never edit a migration that has shipped: add a new one."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from app.storage.sqlite import sqlite3

migrations = Migrations("aris")

LIVE_MEMORY = "deleted_at IS NULL AND superseded_by IS NULL"
"""A memory that recall may return: neither forgotten (tombstone) nor replaced by a newer fact."""


def run_script(db: Database, script: str) -> None:
    """Run several statements inside the migration's transaction.

    ``sqlite3.executescript`` would COMMIT first and break the all-or-nothing promise, so statements are split
    (``complete_statement`` knows that a trigger body's semicolons do not end it) and executed one by one.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"Incomplete SQL statement in migration: {pending.strip()[:80]}")


@migrations()
def m001_initial(db: Database) -> None:
    """Conversations, their messages with per-stage timings, memories, and a key-value meta table."""
    run_script(
        db,
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            title TEXT,
            deleted_at TEXT
        );
        CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            role TEXT NOT NULL,
            text TEXT NOT NULL,
            timings TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE INDEX messages_by_conversation ON messages(conversation_id, created_at);
        CREATE TABLE memories (
            id TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'fact',
            source_message_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            pinned INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    )


@migrations()
def m002_supersede_and_sync(db: Database) -> None:
    """Superseded facts stay as history (Zep style); a change counter lets the vector index catch up
    cheaply; every row gets an hlc for sync."""
    run_script(
        db,
        """
        ALTER TABLE memories ADD COLUMN superseded_by TEXT;
        ALTER TABLE memories ADD COLUMN superseded_at TEXT;
        ALTER TABLE memories ADD COLUMN slot TEXT;
        ALTER TABLE memories ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE memories ADD COLUMN hlc TEXT;
        ALTER TABLE conversations ADD COLUMN hlc TEXT;
        ALTER TABLE messages ADD COLUMN hlc TEXT;
        UPDATE memories SET seq = rowid;
        CREATE INDEX memories_by_seq ON memories(seq);
        CREATE INDEX memories_live_slot ON memories(slot) WHERE deleted_at IS NULL AND superseded_by IS NULL;
        CREATE INDEX memories_live ON memories(updated_at) WHERE deleted_at IS NULL AND superseded_by IS NULL;
        CREATE INDEX conversations_by_update ON conversations(updated_at);
        """,
    )
    # Rows from before this migration get a clock value derived from their update time.
    db.execute(
        "UPDATE memories SET hlc = printf('%013d-0000-legacy', CAST(strftime('%s', updated_at) AS INTEGER) * 1000)"
    )
    db.execute(
        "UPDATE conversations SET hlc = printf('%013d-0000-legacy', "
        "CAST(strftime('%s', updated_at) AS INTEGER) * 1000)"
    )
    db.execute(
        "UPDATE messages SET hlc = printf('%013d-0000-legacy', CAST(strftime('%s', updated_at) AS INTEGER) * 1000)"
    )


@migrations()
def m003_full_text_search(db: Database) -> None:
    """FTS5 (porter stemming) over live memories and over messages, kept current by triggers.

    An update removes the old text BEFORE the row changes and adds the new one after: SQLite fires same-time
    triggers in an unspecified order, and adding before removing would corrupt the external-content index.
    """
    run_script(
        db,
        f"""
        CREATE VIRTUAL TABLE memories_fts USING fts5(
            text, content='memories', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
        );
        INSERT INTO memories_fts(rowid, text) SELECT rowid, text FROM memories WHERE {LIVE_MEMORY};
        CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories
            WHEN new.deleted_at IS NULL AND new.superseded_by IS NULL
        BEGIN
            INSERT INTO memories_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories
            WHEN old.deleted_at IS NULL AND old.superseded_by IS NULL
        BEGIN
            INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        END;
        CREATE TRIGGER memories_fts_update_old BEFORE UPDATE ON memories
            WHEN old.deleted_at IS NULL AND old.superseded_by IS NULL
        BEGIN
            INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        END;
        CREATE TRIGGER memories_fts_update_new AFTER UPDATE ON memories
            WHEN new.deleted_at IS NULL AND new.superseded_by IS NULL
        BEGIN
            INSERT INTO memories_fts(rowid, text) VALUES (new.rowid, new.text);
        END;

        CREATE VIRTUAL TABLE messages_fts USING fts5(
            text, content='messages', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
        );
        INSERT INTO messages_fts(rowid, text) SELECT rowid, text FROM messages WHERE deleted_at IS NULL;
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.deleted_at IS NULL
        BEGIN
            INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.deleted_at IS NULL
        BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        END;
        CREATE TRIGGER messages_fts_update_old BEFORE UPDATE ON messages WHEN old.deleted_at IS NULL
        BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        END;
        CREATE TRIGGER messages_fts_update_new AFTER UPDATE ON messages WHEN new.deleted_at IS NULL
        BEGIN
            INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text);
        END;
        """,
    )


@migrations()
def m004_skills_timers_lists(db: Database) -> None:
    """Timers and reminders (so they survive a restart and a missed one can be announced), and lists with
    their items (hlc and tombstones as memories have, ready to sync)."""
    run_script(
        db,
        """
        CREATE TABLE timers (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            duration_s REAL NOT NULL DEFAULT 0,
            fires_at REAL NOT NULL,
            state TEXT NOT NULL,
            remaining_s REAL,
            recurrence TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX timers_by_state ON timers(state, fires_at);
        CREATE TABLE lists (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            hlc TEXT,
            deleted_at TEXT
        );
        CREATE UNIQUE INDEX lists_by_name ON lists(name) WHERE deleted_at IS NULL;
        CREATE TABLE list_items (
            id TEXT PRIMARY KEY,
            list_id TEXT NOT NULL REFERENCES lists(id),
            text TEXT NOT NULL,
            done INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            hlc TEXT,
            deleted_at TEXT
        );
        CREATE INDEX list_items_by_list ON list_items(list_id, created_at);
        """,
    )
