"""Index upkeep: keeping this process's vector index in line with the database, which is the truth.

One object owns the Chroma index for the life of a process: it replays changes after writes, catches up with
what other processes wrote (one indexed ``max(seq)`` lookup), repairs a damaged index and rebuilds it on
request. When another process owns the index, there is none here and every method is a cheap no-op."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np

from app.memory.embeddings import MiniLMEmbedder
from app.memory.errors import IndexBusyError, VectorIndexError
from app.memory.index_sync import IndexSyncReport, bring_up_to_date, open_index, rebuild
from app.memory.vector_index import VectorIndex
from app.paths import DataPaths
from app.storage.memory_rows import MemoryRows

log = logging.getLogger(__name__)


class IndexKeeper:
    """The vector index of one process and the change number it has caught up to."""

    def __init__(
        self, paths: DataPaths, rows: MemoryRows, embedder: MiniLMEmbedder, index: VectorIndex | None
    ):
        """Use :meth:`open`; this wires an already-open index (None: another process owns it)."""
        self.paths = paths
        self.rows = rows
        self.embedder = embedder
        self.index = index
        self._seen_seq = 0

    @classmethod
    def open(cls, paths: DataPaths, rows: MemoryRows, embedder: MiniLMEmbedder) -> tuple[IndexKeeper, bool]:
        """Open the index (rebuilding a damaged one); returns (keeper, whether it was rebuilt).

        Raises:
            VectorIndexError: the index folder cannot even be recreated.
        """
        try:
            index, rebuilt = open_index(paths.chroma_dir, embedder)
        except IndexBusyError as error:
            log.warning("%s Searching by words only; that process keeps the index up to date.", error.message)
            index, rebuilt = None, False
        return cls(paths, rows, embedder, index), rebuilt

    def close(self) -> None:
        """Release the index."""
        if self.index is not None:
            self.index.close()

    def repair(self, *, force_scan: bool) -> IndexSyncReport:
        """The start-up check: bring the index up to date, rebuilding it if Chroma fails."""
        if self.index is None:
            return IndexSyncReport("busy")
        try:
            report = bring_up_to_date(self.rows, self.index, self.rows.node_id, force_scan=force_scan)
        except VectorIndexError as error:
            log.info("Memory index failed its start-up check (%s); rebuilding it from the database", error)
            index = self.recover()
            return IndexSyncReport("rebuilt", added=index.count())
        finally:
            self._seen_seq = self.rows.max_seq()
        return (
            IndexSyncReport("rebuilt", report.added, report.removed, report.seconds) if force_scan else report
        )

    def sync(self) -> None:
        """Apply the database's changes to the index (after this process wrote)."""
        if self.index is None:
            self._seen_seq = self.rows.max_seq()
            return
        if not self.rows.any_live() and self.index.count() > 0:
            # Everything was forgotten: a new, empty index is quicker than erasing every vector one by one,
            # and leaves nothing of the old one on disk.
            self.recover()
            return
        try:
            bring_up_to_date(self.rows, self.index, self.rows.node_id, compare_ids=False)
        except VectorIndexError as error:
            log.info("Memory index failed while updating (%s); rebuilding it from the database", error)
            self.recover()
        self._seen_seq = self.rows.max_seq()

    def catch_up(self) -> bool:
        """Take in what other processes (the CLI, sync) wrote since this one last looked; True if they did.

        Costs one indexed lookup when nothing changed, so every read path can call it first."""
        if self.rows.max_seq() == self._seen_seq:
            return False
        forgotten = self.rows.forgotten_since(self._seen_seq)
        self.sync()
        if forgotten:
            # A forget written by another process or applied by sync: erase what this process's files keep.
            self.rows.scrub()
        return True

    def reindex(self) -> IndexSyncReport:
        """Rebuild the index from the database.

        Raises:
            IndexBusyError: another process owns the index.
        """
        if self.index is None:
            raise IndexBusyError(
                "The memory index is in use by the running Aris app; close it, then run reindex again."
            )
        started = time.perf_counter()
        index = self.recover()
        return IndexSyncReport("rebuilt", added=index.count(), seconds=time.perf_counter() - started)

    def recover(self) -> VectorIndex:
        """Throw the index away and build it again from the database."""
        self.index = rebuild(self.rows, self.paths.chroma_dir, self.embedder, self.rows.node_id, self.index)
        self._seen_seq = self.rows.max_seq()
        return self.index

    def nearest(self, vector: np.ndarray, limit: int) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the closest live memories, best first; empty without an index."""
        if self.index is None:
            return []
        try:
            return [(hit.id, hit.similarity) for hit in self.index.query(vector, limit)]
        except VectorIndexError as error:
            log.info("Memory index failed (%s); rebuilding it from the database", error)
            return [(hit.id, hit.similarity) for hit in self.recover().query(vector, limit)]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (for scoring full-text hits the vector search did not return)."""
        return self.index.vectors(ids) if self.index is not None else {}
