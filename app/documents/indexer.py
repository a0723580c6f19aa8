"""Keeping the index in step with the watched folders: new and changed files are read, unchanged ones
skipped, deleted ones dropped. Incremental and resumable: a file is compared by size and modification time
first and by content hash only when those moved, and each file is committed on its own, so a run that is
killed loses at most the file it was reading and the next run goes on from there."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.documents.chunking import Chunk, ChunkSettings, chunk_blocks
from app.documents.errors import ExtractionError, FolderError
from app.documents.extract import Extracted, extract, is_document
from app.documents.store import DocumentStore, IndexedFile
from app.documents.vectors import Embedder, pack

log = logging.getLogger(__name__)


@dataclass
class IndexReport:
    """What one indexing run did."""

    indexed: list[str] = field(default_factory=list)
    """Files read (new or changed)."""
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    """Files gone from disk, dropped from the index."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(file, why) for files that could not be read."""
    needs_ocr: list[tuple[str, list[int]]] = field(default_factory=list)
    """(file, pages) read in this run whose pages have no text layer."""
    pages: int = 0
    chunks: int = 0
    text_chars: int = 0
    seconds: float = 0.0


Progress = Callable[[str], None]

EMBED_BATCH = 16
"""Passages embedded together. Batches are padded to their longest passage, and passages run near the
embedder's 256-token limit: measured here, 51 passages took 3.8 s in batches of 16 and 13.8 s in one batch."""


EMBED_CHARS = 600
"""Only a passage's first this many characters (about 130 tokens) are embedded; full-text search reads all of
it. The embedder's time grows with the tokens it reads, and it is most of indexing's time: measured here
(CPU seconds for 51 passages of ~700 characters), 1.70 s whole, 1.16 s cut at 600 characters."""


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a passage: its heading, then the start of its text (see ``EMBED_CHARS``). The
    heading says what the passage is about when its own sentences do not ("Descaling" over "Fill the tank
    with the solution…")."""
    text = f"{chunk.heading}: {chunk.text}" if chunk.heading else chunk.text
    if len(text) <= EMBED_CHARS:
        return text
    cut = text.rfind(" ", 0, EMBED_CHARS)
    return text[: cut if cut > 0 else EMBED_CHARS]


def file_hash(path: Path) -> str:
    """The SHA-256 of the file's content."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def documents_in(folder: Path) -> Iterator[Path]:
    """The readable documents under ``folder``, recursively, in a stable order (hidden folders skipped)."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if is_document(path):
                yield path


class Indexer:
    """Reads the watched folders into a DocumentStore."""

    def __init__(
        self, store: DocumentStore, embedder: Embedder, chunking: ChunkSettings | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.chunking = chunking or ChunkSettings()

    def index_all(self, progress: Progress | None = None) -> IndexReport:
        """Bring every watched folder up to date."""
        report = IndexReport()
        for folder in self.store.folders():
            self.index_folder(Path(folder.path), progress, report)
        return report

    def index_folder(
        self, folder: Path, progress: Progress | None = None, report: IndexReport | None = None
    ) -> IndexReport:
        """Bring one watched folder up to date.

        Raises:
            FolderError: the folder is not watched, or it is gone (its passages stay until it is removed).
        """
        report = report or IndexReport()
        started = time.perf_counter()
        folder_id = self.store.folder_id(folder)
        if folder_id is None:
            raise FolderError(f"{folder} is not one of the document folders (see: docs list).")
        if not folder.is_dir():
            raise FolderError(
                f"{folder} is missing (an unplugged disk?); its passages are kept until you run "
                f"`docs remove {folder}`."
            )
        known = self.store.files_of(folder_id)
        seen: set[str] = set()
        for path in documents_in(folder):
            seen.add(str(path))
            self._index_file(folder_id, path, known.get(str(path)), report, progress)
        gone = sorted(set(known) - seen)
        self.store.delete_files(gone)
        report.removed.extend(gone)
        report.seconds += time.perf_counter() - started
        return report

    def _index_file(
        self,
        folder_id: int,
        path: Path,
        known: IndexedFile | None,
        report: IndexReport,
        progress: Progress | None,
    ) -> None:
        try:
            stat = path.stat()
        except OSError as error:
            report.failed.append((str(path), error.strerror or str(error)))
            return
        if known is not None:
            if known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns:
                report.unchanged += 1
                return
            digest = file_hash(path)
            if digest == known.sha256:  # touched or copied over, same content
                self.store.touch_file(known.id, stat.st_size, stat.st_mtime_ns)
                report.unchanged += 1
                return
        else:
            digest = file_hash(path)
        if progress is not None:
            progress(f"Reading {path}")
        problem: str | None = None
        try:
            extracted = extract(path)
        except ExtractionError as failure:
            log.warning("%s", failure.message)
            extracted, problem = Extracted(), failure.message
            report.failed.append((str(path), failure.message))
        chunks = chunk_blocks(extracted.blocks, self.chunking)
        vectors = (
            self.embedder.embed([embedding_text(c) for c in chunks], batch_size=EMBED_BATCH)
            if chunks
            else np.zeros((0, 0))
        )
        self.store.replace_file(
            folder_id,
            path,
            sha256=digest,
            size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            pages=extracted.pages,
            needs_ocr=extracted.needs_ocr,
            chunks=chunks,
            vectors=[pack(v) for v in vectors],
            error=problem,
        )
        report.indexed.append(str(path))
        report.pages += extracted.pages
        report.chunks += len(chunks)
        report.text_chars += extracted.text_chars
        if extracted.needs_ocr:
            report.needs_ocr.append((str(path), list(extracted.needs_ocr)))
