"""Keeping the vector index in line with the database, which is the truth.

The start-up check must stay cheap at 100,000 memories, so it compares two numbers before doing any work:
the database's latest change number (``seq``) against the one the index recorded, and the live-row count
against the index's entry count. Only a mismatch costs more: replaying the changes since the recorded number,
or, when that cannot be trusted, a full scan that fixes missing, extra and stale entries."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.memory.embeddings import MiniLMEmbedder
from app.memory.errors import VectorIndexError
from app.memory.vector_index import VectorIndex, destroy, text_hash
from app.storage.memory_rows import MemoryRows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncReport:
    """What a check found and did."""

    mode: str
    """"current" (nothing to do), "replay" (changes since the recorded number), "scan" (full comparison),
    "rebuilt" (the folder was unreadable and was recreated)."""
    added: int = 0
    removed: int = 0
    seconds: float = 0.0


def open_index(folder: Path, embedder: MiniLMEmbedder) -> tuple[VectorIndex, bool]:
    """Open the index; a damaged folder is deleted and recreated. Returns (index, was_rebuilt).

    Raises:
        VectorIndexError: even a fresh folder could not be created (disk full, permissions).
    """
    try:
        return VectorIndex(folder, embedder), False
    except VectorIndexError as error:
        log.warning("The memory index is damaged and will be rebuilt from the database: %s", error)
    destroy(folder)
    return VectorIndex(folder, embedder), True


def bring_up_to_date(
    rows: MemoryRows, index: VectorIndex, database_id: str, *, force_scan: bool = False
) -> SyncReport:
    """Make the index hold exactly the live memories, with their current texts.

    Raises:
        VectorIndexError: Chroma failed while being repaired.
    """
    started = time.perf_counter()
    db_seq = rows.max_seq()
    applied = index.applied_seq()
    trusted = index.database_id() == database_id and applied <= db_seq
    if not force_scan and trusted and applied == db_seq and index.count() == rows.live_count():
        return SyncReport("current", seconds=time.perf_counter() - started)
    if not force_scan and trusted:
        added, removed = _replay(rows, index, applied)
        index.set_applied_seq(db_seq, database_id)
        if index.count() == rows.live_count():
            report = SyncReport("replay", added, removed, time.perf_counter() - started)
            log.info("Memory index caught up: %s", report)
            return report
        log.warning("Memory index count differs from the database after catching up; scanning it")
    added, removed = _scan(rows, index)
    index.set_applied_seq(db_seq, database_id)
    report = SyncReport("scan", added, removed, time.perf_counter() - started)
    log.info("Memory index repaired: %s", report)
    return report


def _replay(rows: MemoryRows, index: VectorIndex, since: int) -> tuple[int, int]:
    latest: dict[str, tuple[str, bool]] = {}
    for change in rows.changed_since(since):
        latest[change.id] = (change.text, change.live)
    upserts = [(memory_id, text) for memory_id, (text, live) in latest.items() if live]
    deletes = [memory_id for memory_id, (_, live) in latest.items() if not live]
    index.upsert(upserts)
    index.delete(deletes)
    return len(upserts), len(deletes)


def _scan(
    rows: MemoryRows, index: VectorIndex, on_batch: Callable[[int], None] | None = None
) -> tuple[int, int]:
    present = index.entries()
    wanted: set[str] = set()
    added = 0
    for batch in rows.iter_live():
        stale = [(memory_id, text) for memory_id, text in batch if present.get(memory_id) != text_hash(text)]
        wanted.update(memory_id for memory_id, _ in batch)
        index.upsert(stale)
        added += len(stale)
        if on_batch is not None:
            on_batch(added)
    extra = [memory_id for memory_id in present if memory_id not in wanted]
    index.delete(extra)
    return added, len(extra)


def rebuild(rows: MemoryRows, folder: Path, embedder: MiniLMEmbedder, database_id: str) -> VectorIndex:
    """Throw the index away and build it again from the database (``memory reindex``)."""
    destroy(folder)
    index = VectorIndex(folder, embedder)
    _scan(rows, index)
    index.set_applied_seq(rows.max_seq(), database_id)
    return index
