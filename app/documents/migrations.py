"""The documents index's schema: named, append-only migrations, as the main database has. A database of its
own (``DataPaths.documents_database``): it is derived from the user's files, never synced, and its bulk
writes while indexing never hold the lock that memory and the conversation log write under."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from app.storage.migrations import run_script

documents_schema = Migrations("aris-documents")

FULL_TEXT_TABLES = ("doc_chunks_fts",)


@documents_schema()
def m001_documents(db: Database) -> None:
    """Watched folders, their files (content hash, pages, pages that need OCR), the passages cut from them
    with their vectors, and FTS5 over the passages (kept by triggers; passages are never updated, only
    replaced with their file)."""
    run_script(
        db,
        """
        CREATE TABLE doc_folders (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            added_at TEXT NOT NULL
        );
        CREATE TABLE doc_files (
            id INTEGER PRIMARY KEY,
            folder_id INTEGER NOT NULL REFERENCES doc_folders(id),
            path TEXT NOT NULL UNIQUE,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            pages INTEGER NOT NULL DEFAULT 0,
            text_chars INTEGER NOT NULL DEFAULT 0,
            needs_ocr TEXT NOT NULL DEFAULT '',
            error TEXT,
            indexed_at TEXT NOT NULL
        );
        CREATE INDEX doc_files_by_folder ON doc_files(folder_id);
        CREATE TABLE doc_chunks (
            id INTEGER PRIMARY KEY,
            file_id INTEGER NOT NULL REFERENCES doc_files(id),
            ordinal INTEGER NOT NULL,
            page INTEGER,
            heading TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            vector BLOB
        );
        CREATE INDEX doc_chunks_by_file ON doc_chunks(file_id);
        CREATE TABLE doc_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO doc_meta(key, value) VALUES ('generation', '0');
        CREATE VIRTUAL TABLE doc_chunks_fts USING fts5(
            heading, text, content='doc_chunks', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER doc_chunks_fts_insert AFTER INSERT ON doc_chunks
        BEGIN
            INSERT INTO doc_chunks_fts(rowid, heading, text) VALUES (new.id, new.heading, new.text);
        END;
        CREATE TRIGGER doc_chunks_fts_delete AFTER DELETE ON doc_chunks
        BEGIN
            INSERT INTO doc_chunks_fts(doc_chunks_fts, rowid, heading, text)
                VALUES ('delete', old.id, old.heading, old.text);
        END;
        """,
    )
