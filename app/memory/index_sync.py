"""Keeping the vector index in line with the database, which is the truth.

The start-up check must stay cheap at 100,000 memories. Changed texts (stale entries) are found from the
change numbers: the database's latest ``seq`` against the one the index recorded, replaying only what came
after it. Missing and extra entries are found by comparing the two id sets (ids only, no vectors). Only when
the index cannot be trusted at all (another database's, or ahead of this one) is every text compared."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.memory.embeddings import MiniLMEmbedder
from app.memory.errors import IndexBusyError, VectorIndexError
from app.memory.vector_index import VectorIndex, destroy, text_hash
from app.storage.memory_rows import MemoryRows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexSyncReport:
    """What a check found and did. Repairs are logged at INFO: the user has nothing to do about them."""

    mode: str
    """"current" (nothing to do), "replay" (changes since the recorded number), "scan" (full comparison),
    "rebuilt" (the folder was unreadable and was recreated)."""
    added: int = 0
    removed: int = 0
    seconds: float = 0.0


def open_index(folder: Path, embedder: MiniLMEmbedder) -> tuple[VectorIndex, bool]:
    """Open the index; a damaged folder is deleted and recreated. Returns (index, was_rebuilt).

    Raises:
        IndexBusyError: another process owns the index.
        VectorIndexError: even a fresh folder could not be created (disk full, permissions).
    """
    try:
        return VectorIndex(folder, embedder), False
    except IndexBusyError:
        raise
    except VectorIndexError as error:
        log.info("The memory index is damaged and will be rebuilt from the database: %s", error)
    destroy(folder)
    return VectorIndex(folder, embedder), True


def bring_up_to_date(
    rows: MemoryRows,
    index: VectorIndex,
    database_id: str,
    *,
    force_scan: bool = False,
    compare_ids: bool = True,
) -> IndexSyncReport:
    """Make the index hold exactly the live memories, with their current texts.

    ``compare_ids=False`` replays the changes only, leaving out the id-set comparison (0.06 s at 20,000
    memories): right after this process's own write, or catching up with another's, the change numbers say
    everything; the start-up check still compares the sets.

    Raises:
        VectorIndexError: Chroma failed while being repaired.
    """
    started = time.perf_counter()
    db_seq = rows.max_seq()
    applied = index.applied_seq()
    trusted = index.database_id() == database_id and applied <= db_seq
    if force_scan or not trusted:
        added, removed = _scan(rows, index)
        index.set_applied_seq(db_seq, database_id)
        report = IndexSyncReport("scan", added, removed, time.perf_counter() - started)
        log.info("Memory index repaired: %s", report)
        return report
    added = removed = 0
    if applied < db_seq:
        added, removed = _replay(rows, index, applied)
        index.set_applied_seq(db_seq, database_id)
    if not compare_ids:
        mode = "current" if applied == db_seq else "replay"
        return IndexSyncReport(mode, added, removed, time.perf_counter() - started)
    # Ids only (no texts, no vectors): 0.06 s at 20,000 memories. Catches entries lost or left over
    # whatever the change numbers say, e.g. a Chroma write that never reached its disk.
    live, present = rows.live_ids(), index.ids()
    missing, extra = live - present, present - live
    if missing:
        found = rows.get_many(sorted(missing))
        index.upsert([(memory_id, memory.text) for memory_id, memory in found.items()])
    index.delete(sorted(extra))
    added, removed = added + len(missing), removed + len(extra)
    mode = "current" if applied == db_seq and not missing and not extra else "replay"
    report = IndexSyncReport(mode, added, removed, time.perf_counter() - started)
    if mode != "current":
        log.info("Memory index caught up: %s", report)
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


def rebuild(
    rows: MemoryRows, folder: Path, embedder: MiniLMEmbedder, database_id: str, old: VectorIndex | None = None
) -> VectorIndex:
    """Throw the index away (closing ``old`` first) and build it again from the database."""
    if old is not None:
        old.close()
    destroy(folder)
    index = VectorIndex(folder, embedder)
    _scan(rows, index)
    index.set_applied_seq(rows.max_seq(), database_id)
    return index
