"""The documents index in SQLite, the source of truth: watched folders, their files with content hashes,
the passages with page, heading and vector, and FTS5 over the passages."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from app.documents.chunking import Chunk
from app.documents.errors import FolderError
from app.documents.migrations import FULL_TEXT_TABLES, documents_schema
from app.storage.clock import utc_now
from app.storage.database import db_lock, open_database, write
from app.storage.fts import fts_query
from app.storage.sqlite import FTS5_SECURE_DELETE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Folder:
    """A watched folder with what the index holds of it."""

    path: str
    added_at: str
    files: int
    chunks: int


@dataclass(frozen=True)
class IndexedFile:
    """What the index knows of one file: enough to tell whether it changed."""

    id: int
    path: str
    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class FileReport:
    """One file's state for `docs status`."""

    path: str
    pages: int
    chunks: int
    needs_ocr: list[int]
    error: str | None


@dataclass(frozen=True)
class StoredChunk:
    """A passage read back from the index."""

    id: int
    path: str
    page: int | None
    heading: str
    text: str


class DocumentStore:
    """The index database. Safe to share between threads (one connection, used under its lock)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def open(cls, path: Path) -> DocumentStore:
        """Open (creating and upgrading) the index at ``path``.

        Raises:
            StorageError: the file cannot be opened.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(open_database(path, schema=documents_schema, full_text_tables=FULL_TEXT_TABLES))

    def close(self) -> None:
        """Release the connection."""
        self.db.conn.close()

    # Folders --------------------------------------------------------------------------------------------
    def add_folder(self, folder: Path) -> bool:
        """Watch ``folder``; False when it already was."""
        with write(self.db, "add the folder"):
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO doc_folders(path, added_at) VALUES (?, ?)", [str(folder), utc_now()]
            )
            return cursor.rowcount > 0

    def folder_id(self, folder: Path) -> int | None:
        """The id of a watched folder, None if it is not watched."""
        with db_lock(self.db):
            row = self.db.execute("SELECT id FROM doc_folders WHERE path = ?", [str(folder)]).fetchone()
        return int(row[0]) if row else None

    def folders(self) -> list[Folder]:
        """Every watched folder with its counts, in the order they were added."""
        with db_lock(self.db):
            rows = self.db.execute(
                """
                SELECT f.path, f.added_at,
                       (SELECT count(*) FROM doc_files WHERE folder_id = f.id),
                       (SELECT count(*) FROM doc_chunks c JOIN doc_files d ON c.file_id = d.id
                         WHERE d.folder_id = f.id)
                FROM doc_folders f ORDER BY f.id
                """
            ).fetchall()
        return [Folder(r[0], r[1], int(r[2]), int(r[3])) for r in rows]

    def remove_folder(self, folder: Path) -> int:
        """Stop watching ``folder`` and delete every passage of its files; returns how many files went.

        Raises:
            FolderError: the folder is not watched.
        """
        folder_id = self.folder_id(folder)
        if folder_id is None:
            raise FolderError(f"{folder} is not one of the document folders (see: docs list).")
        with write(self.db, "remove the folder"):
            files = self.db.execute(
                "SELECT count(*) FROM doc_files WHERE folder_id = ?", [folder_id]
            ).fetchone()
            self.db.execute(
                "DELETE FROM doc_chunks WHERE file_id IN (SELECT id FROM doc_files WHERE folder_id = ?)",
                [folder_id],
            )
            self.db.execute("DELETE FROM doc_files WHERE folder_id = ?", [folder_id])
            self.db.execute("DELETE FROM doc_folders WHERE id = ?", [folder_id])
            self._bump_generation()
        self.scrub()
        return int(files[0])

    # Files ----------------------------------------------------------------------------------------------
    def files_of(self, folder_id: int) -> dict[str, IndexedFile]:
        """The indexed files of a folder, by path."""
        with db_lock(self.db):
            rows = self.db.execute(
                "SELECT id, path, sha256, size, mtime_ns FROM doc_files WHERE folder_id = ?", [folder_id]
            ).fetchall()
        return {r[1]: IndexedFile(int(r[0]), r[1], r[2], int(r[3]), int(r[4])) for r in rows}

    def touch_file(self, file_id: int, size: int, mtime_ns: int) -> None:
        """Record a new modification time for a file whose content did not change."""
        with write(self.db, "update the file"):
            self.db.execute(
                "UPDATE doc_files SET size = ?, mtime_ns = ? WHERE id = ?", [size, mtime_ns, file_id]
            )

    def replace_file(
        self,
        folder_id: int,
        path: Path,
        *,
        sha256: str,
        size: int,
        mtime_ns: int,
        pages: int,
        needs_ocr: Sequence[int],
        chunks: Sequence[Chunk],
        vectors: Sequence[bytes],
        error: str | None = None,
    ) -> None:
        """Put a file's passages in the index in place of any it had, in one transaction: a kill leaves the
        file either wholly old or wholly new, and indexing resumes with the next file."""
        with write(self.db, "index the file"):
            self._delete_file_rows(str(path))
            cursor = self.db.execute(
                """INSERT INTO doc_files(folder_id, path, sha256, size, mtime_ns, pages, text_chars, needs_ocr,
                                         error, indexed_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    folder_id,
                    str(path),
                    sha256,
                    size,
                    mtime_ns,
                    pages,
                    sum(len(c.text) for c in chunks),
                    json.dumps(list(needs_ocr)) if needs_ocr else "",
                    error,
                    utc_now(),
                ],
            )
            file_id = cursor.lastrowid
            self.db.conn.executemany(
                "INSERT INTO doc_chunks(file_id, ordinal, page, heading, text, vector) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (file_id, ordinal, chunk.page, chunk.heading, chunk.text, vector)
                    for ordinal, (chunk, vector) in enumerate(zip(chunks, vectors, strict=True))
                ],
            )
            self._bump_generation()

    def delete_files(self, paths: Sequence[str]) -> None:
        """Drop files that are gone from disk, with their passages."""
        if not paths:
            return
        with write(self.db, "remove deleted files"):
            for path in paths:
                self._delete_file_rows(path)
            self._bump_generation()
        self.scrub()

    def _delete_file_rows(self, path: str) -> None:
        self.db.execute(
            "DELETE FROM doc_chunks WHERE file_id IN (SELECT id FROM doc_files WHERE path = ?)", [path]
        )
        self.db.execute("DELETE FROM doc_files WHERE path = ?", [path])

    def _bump_generation(self) -> None:
        self.db.execute("UPDATE doc_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    def generation(self) -> str:
        """A value that changes whenever passages are added or removed (the vector matrix reloads then)."""
        with db_lock(self.db):
            return str(self.db.execute("SELECT value FROM doc_meta WHERE key = 'generation'").fetchone()[0])

    def scrub(self) -> None:
        """Leave no trace of deleted passages in the database files: ``secure_delete`` zeroed the pages they
        left; without FTS5's secure-delete the index is merged to drop their terms; the WAL, which still holds
        old page images, is copied back and emptied (as forgetting a memory does, MemoryRows.scrub)."""
        with db_lock(self.db):
            if not FTS5_SECURE_DELETE:
                with write(self.db, "erase the removed passages"):
                    self.db.execute("INSERT INTO doc_chunks_fts(doc_chunks_fts) VALUES ('optimize')")
            busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("Another process is reading the documents index; removed text leaves its log later")

    # Reading --------------------------------------------------------------------------------------------
    def vectors(self) -> list[tuple[int, bytes]]:
        """Every passage's (id, packed vector), by id."""
        with db_lock(self.db):
            rows = self.db.execute(
                "SELECT id, vector FROM doc_chunks WHERE vector IS NOT NULL ORDER BY id"
            ).fetchall()
        return [(int(r[0]), bytes(r[1])) for r in rows]

    def full_text(self, question: str, limit: int) -> list[tuple[int, float]]:
        """Passages matching the question's content words as (id, BM25), best first (any word may match;
        BM25 ranks those with more and rarer words first)."""
        query = fts_query(question, max_terms=12)
        if not query:
            return []
        with db_lock(self.db):
            rows = self.db.execute(
                "SELECT rowid, bm25(doc_chunks_fts, 0.5, 1.0) AS score FROM doc_chunks_fts "
                "WHERE doc_chunks_fts MATCH ? ORDER BY score LIMIT ?",
                [query, limit],
            ).fetchall()
        return [(int(r[0]), -float(r[1])) for r in rows]

    def chunks(self, ids: Sequence[int]) -> dict[int, StoredChunk]:
        """Passages by id, with their file's path."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with db_lock(self.db):
            rows = self.db.execute(
                f"SELECT c.id, f.path, c.page, c.heading, c.text FROM doc_chunks c "
                f"JOIN doc_files f ON c.file_id = f.id WHERE c.id IN ({marks})",
                list(ids),
            ).fetchall()
        return {int(r[0]): StoredChunk(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows}

    def counts(self) -> tuple[int, int, int]:
        """(files, passages, pages) in the index."""
        with db_lock(self.db):
            row = self.db.execute(
                "SELECT count(*), coalesce(sum(pages), 0), (SELECT count(*) FROM doc_chunks) FROM doc_files"
            ).fetchone()
        return int(row[0]), int(row[2]), int(row[1])

    def file_reports(self) -> list[FileReport]:
        """Every file's pages, passages, pages that need OCR and reading error."""
        with db_lock(self.db):
            rows = self.db.execute(
                "SELECT f.path, f.pages, (SELECT count(*) FROM doc_chunks WHERE file_id = f.id), f.needs_ocr, "
                "f.error FROM doc_files f ORDER BY f.path"
            ).fetchall()
        return [FileReport(r[0], int(r[1]), int(r[2]), json.loads(r[3]) if r[3] else [], r[4]) for r in rows]
