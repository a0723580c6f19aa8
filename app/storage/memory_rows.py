"""Memory rows in SQLite: the source of truth. Every change bumps a row's ``seq`` so the derived vector index
can tell cheaply how far behind it is."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from app.storage.clock import HybridClock, utc_now
from app.storage.database import write
from app.storage.fts import content_words
from app.storage.migrations import LIVE_MEMORY
from app.storage.records import MEMORY_FIELDS, Memory
from app.storage.sqlite import FTS5_SECURE_DELETE

log = logging.getLogger(__name__)

_COLUMNS = ", ".join(MEMORY_FIELDS)
_UPDATABLE = frozenset(MEMORY_FIELDS) - {"id", "created_at", "updated_at"}
"""Columns a change may set: a memory keeps its id and creation time, and its update time is always now."""

NEXT_SEQ = "(SELECT coalesce(max(seq), 0) + 1 FROM memories)"
"""SQL for a memory row's next change number. Every write to a memory row sets ``seq`` to it, so the vector
index and other processes can tell from ``max(seq)`` alone that something changed."""


@dataclass(frozen=True)
class RowChange:
    """A memory row as the vector index needs it: live rows are indexed, the others removed."""

    id: str
    text: str
    live: bool
    seq: int


class MemoryRows:
    """Reads and writes of the memories table. Writes nest: call them inside ``write(db, ...)`` to make
    several one transaction."""

    def __init__(self, db: Database, clock: HybridClock) -> None:
        """Use an open, migrated database."""
        self.db = db
        self._clock = clock

    @property
    def node_id(self) -> str:
        """This database's node id (from its clock)."""
        return self._clock.node_id

    # Reads -----------------------------------------------------------------------------------------------
    def get(self, memory_id: str) -> Memory | None:
        """The memory with this id, live or not."""
        row = self.db.execute(f"SELECT {_COLUMNS} FROM memories WHERE id = ?", [memory_id]).fetchone()
        return Memory.from_row(row) if row else None

    def get_many(self, ids: Sequence[str]) -> dict[str, Memory]:
        """Memories by id (missing ids are left out)."""
        found: dict[str, Memory] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT {_COLUMNS} FROM memories WHERE id IN ({marks})", chunk):
                found[row[0]] = Memory.from_row(row)
        return found

    def neighbours(self, ids: Sequence[str]) -> list[tuple[str, str, int]]:
        """(id, neighbour id, +1 or -1) for the live memories stored just before or after each of ``ids`` with
        the same creation time: the turns around a turn of an imported conversation, which are its context
        ("How long have you been married?" then "5 years already!"). Memories learned one by one never share
        a creation time to the millisecond, so they have none."""
        found: list[tuple[str, str, int]] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                "SELECT c.id, n.id, n.rowid - c.rowid FROM memories c JOIN memories n "
                "ON n.rowid IN (c.rowid - 1, c.rowid + 1) AND n.created_at = c.created_at "
                f"WHERE c.id IN ({marks}) AND n.deleted_at IS NULL AND n.superseded_by IS NULL",
                chunk,
            )
            found.extend((row[0], row[1], int(row[2])) for row in rows)
        return found

    def memories(self, include_deleted: bool = False, limit: int | None = None) -> list[Memory]:
        """Pinned first, then most recently updated. With include_deleted, also superseded and forgotten."""
        where = "" if include_deleted else f"WHERE {LIVE_MEMORY}"
        sql = f"SELECT {_COLUMNS} FROM memories {where} ORDER BY pinned DESC, updated_at DESC, rowid DESC"
        params: list[object] = []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [Memory.from_row(row) for row in self.db.execute(sql, params)]

    def live_with_slot(self, slot: str) -> list[Memory]:
        """Live memories about the same thing (same slot)."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM memories WHERE slot = ? AND {LIVE_MEMORY}", [slot])
        return [Memory.from_row(row) for row in rows]

    def with_id_prefix(self, prefix: str, limit: int = 10) -> list[Memory]:
        """Memories not forgotten whose id starts with ``prefix``, compared literally (no LIKE wildcards)."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM memories WHERE id >= ? AND substr(id, 1, ?) = ? AND deleted_at IS NULL "
            "ORDER BY id LIMIT ?",
            [prefix, len(prefix), prefix, limit],
        )
        return [Memory.from_row(row) for row in rows]

    def live_with_text(self, text: str) -> list[Memory]:
        """Live memories whose text is ``text`` (ignoring case)."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM memories WHERE text = ? COLLATE NOCASE AND {LIVE_MEMORY}", [text]
        )
        return [Memory.from_row(row) for row in rows]

    def live_count(self) -> int:
        """How many memories recall can return."""
        return int(self.db.execute(f"SELECT count(*) FROM memories WHERE {LIVE_MEMORY}").fetchone()[0])

    def any_live(self) -> bool:
        """Whether any memory is live (stops at the first one)."""
        return self.db.execute(f"SELECT 1 FROM memories WHERE {LIVE_MEMORY} LIMIT 1").fetchone() is not None

    def live_ids(self) -> set[str]:
        """Ids of every memory recall can return."""
        return {row[0] for row in self.db.execute(f"SELECT id FROM memories WHERE {LIVE_MEMORY}")}

    def max_seq(self) -> int:
        """The latest change number (0 for an empty table)."""
        return int(self.db.execute("SELECT coalesce(max(seq), 0) FROM memories").fetchone()[0])

    def forgotten_since(self, seq: int) -> bool:
        """Whether a memory was forgotten (tombstoned) after change number ``seq``."""
        row = self.db.execute(
            "SELECT 1 FROM memories WHERE seq > ? AND deleted_at IS NOT NULL LIMIT 1", [seq]
        ).fetchone()
        return row is not None

    def changed_since(self, seq: int) -> list[RowChange]:
        """Rows changed after change number ``seq``, oldest change first."""
        rows = self.db.execute(
            f"SELECT id, text, ({LIVE_MEMORY}) AS live, seq FROM memories WHERE seq > ? ORDER BY seq", [seq]
        )
        return [RowChange(row[0], row[1], bool(row[2]), row[3]) for row in rows]

    def iter_live(self, batch: int = 2000) -> Iterator[list[tuple[str, str]]]:
        """All live (id, text) pairs, in batches, for a full re-index."""
        cursor = self.db.execute(f"SELECT id, text FROM memories WHERE {LIVE_MEMORY} ORDER BY rowid")
        while rows := cursor.fetchmany(batch):
            yield [(row[0], row[1]) for row in rows]

    def full_text(
        self,
        query: str,
        limit: int,
        *,
        every_word: bool = False,
        max_term_docs: int | None = None,
        scan: int | None = None,
    ) -> list[tuple[str, float]]:
        """Live memories matching ``query`` by BM25, best first, as (id, bm25) with lower bm25 better.

        Args:
            query: what the user said; only its content words are searched.
            limit: how many hits.
            every_word: require all words (forgetting, where a loose match would erase the wrong things)
                rather than any (recall).
            max_term_docs: leave out words found in at least this many memories. BM25 gives them little
                weight anyway, and scoring every one of their matches is what makes full-text search slow
                in a large store (10,000 matches of "live" at 100,000 memories).
            scan: rank only the newest this many matches (exact when fewer match). Ordering every match by
                BM25 is what costs: 2 ms for the 2,000 matches of two names at 100,000 memories, against
                0.4 ms for the newest 200.
        """
        words = content_words(query)[:8]
        if max_term_docs is not None:
            words = [w for w in words if self._doc_count(w, max_term_docs) < max_term_docs]
        if not words:
            return []
        match = (" AND " if every_word else " OR ").join(f'"{word}"' for word in words)
        if scan is not None:
            # The newest ``scan`` matches (FTS5 walks them in rowid order), then the best of those by BM25; ties
            # oldest first, as the full ORDER BY score below leaves them.
            sql = (
                "SELECT m.id, f.score FROM (SELECT rowid, score FROM (SELECT rowid, bm25(memories_fts) AS score "
                "FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT ?) "
                "ORDER BY score, rowid LIMIT ?) AS f JOIN memories m ON m.rowid = f.rowid ORDER BY f.score, f.rowid"
            )
            parameters: list[object] = [match, scan, limit]
        else:
            sql = (
                "SELECT m.id, f.score FROM (SELECT rowid, bm25(memories_fts) AS score FROM memories_fts "
                "WHERE memories_fts MATCH ? ORDER BY score LIMIT ?) AS f JOIN memories m ON m.rowid = f.rowid "
                "ORDER BY f.score"
            )
            parameters = [match, limit]
        return [(row[0], row[1]) for row in self.db.execute(sql, parameters)]

    def _doc_count(self, word: str, cap: int) -> int:
        """Memories containing ``word``, counted up to ``cap`` (so a common word costs no more than that)."""
        return int(
            self.db.execute(
                "SELECT count(*) FROM (SELECT 1 FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?)",
                [f'"{word}"', cap],
            ).fetchone()[0]
        )

    def superseded_chain(self, memory_id: str) -> list[str]:
        """Ids of the older memories that ``memory_id`` replaced, directly or through others."""
        rows = self.db.execute(
            "WITH RECURSIVE older(id) AS (SELECT id FROM memories WHERE superseded_by = ? "
            "UNION SELECT m.id FROM memories m JOIN older o ON m.superseded_by = o.id) SELECT id FROM older",
            [memory_id],
        )
        return [row[0] for row in rows]

    # Writes ----------------------------------------------------------------------------------------------
    def insert(
        self,
        text: str,
        kind: str,
        *,
        pinned: bool = False,
        slot: str | None = None,
        source_message_id: str | None = None,
        memory_id: str | None = None,
        created_at: str | None = None,
        updated_at: str | None = None,
        deleted_at: str | None = None,
        superseded_by: str | None = None,
        superseded_at: str | None = None,
    ) -> Memory:
        """Add a row (a new uuid4 unless one is given, e.g. on import)."""
        now = utc_now()
        memory = Memory(
            id=memory_id or str(uuid.uuid4()),
            text=text,
            kind=kind,
            created_at=created_at or now,
            updated_at=updated_at or now,
            pinned=pinned,
            source_message_id=source_message_id,
            deleted_at=deleted_at,
            superseded_by=superseded_by,
            superseded_at=superseded_at,
            slot=slot,
        )
        self.insert_memory(memory)
        return memory

    def insert_memory(self, memory: Memory) -> None:
        """Add ``memory`` as it is (import, where ids and times come from the export file)."""
        values = [int(v) if isinstance(v, bool) else v for v in (getattr(memory, f) for f in MEMORY_FIELDS)]
        with write(self.db, "save the memory"):
            self.db.execute(
                f"INSERT INTO memories({_COLUMNS}, seq, hlc) "
                f"VALUES ({', '.join('?' * len(MEMORY_FIELDS))}, {NEXT_SEQ}, ?)",
                [*values, self._clock.now()],
            )

    def insert_many(self, rows: Iterable[tuple[str, str | None]], kind: str = "fact") -> list[str]:
        """Bulk-add (text, slot) rows in one transaction (benchmarks, imports); returns the new ids."""
        ids: list[str] = []
        now = utc_now()
        with write(self.db, "save the memories"):
            seq = self.max_seq()
            params = []
            for text, slot in rows:
                seq += 1
                memory_id = str(uuid.uuid4())
                ids.append(memory_id)
                params.append([memory_id, text, kind, now, now, slot, seq, self._clock.now()])
            self.db.conn.executemany(
                "INSERT INTO memories(id, text, kind, created_at, updated_at, slot, seq, hlc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                params,
            )
        return ids

    def update(self, memory_id: str, **fields: object) -> Memory | None:
        """Change some columns (any of ``_UPDATABLE``); returns the row as it now is, or None if absent."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"Cannot update memory columns {sorted(unknown)}")
        sets = ", ".join(f"{name} = ?" for name in fields)
        values = [int(v) if isinstance(v, bool) else v for v in fields.values()]
        with write(self.db, "update the memory"):
            cursor = self.db.execute(
                f"UPDATE memories SET {sets}, updated_at = ?, hlc = ?, seq = {NEXT_SEQ} WHERE id = ?",
                [*values, utc_now(), self._clock.now(), memory_id],
            )
            if cursor.rowcount == 0:
                return None
        return self.get(memory_id)

    def tombstone(self, memory_id: str) -> Memory | None:
        """Forget: the row stays as a tombstone (for sync) but its text is erased."""
        return self.update(memory_id, text="", deleted_at=utc_now(), pinned=False)

    def scrub(self) -> None:
        """Leave no recoverable trace of erased text in the database files (after a forget).

        With FTS5's ``secure-delete`` (set when the database is opened, SQLite 3.42+), the delete itself purged
        the terms from the index, and ``secure_delete`` zeroed the bytes it freed. Older SQLite records a
        deletion as a marker in a new segment, leaving the old terms in the older ones until they are merged:
        there 'optimize' merges every segment into one. The old page images live on in the WAL until a
        checkpoint copies the new ones over them; TRUNCATE then empties the WAL file."""
        if not FTS5_SECURE_DELETE:
            with write(self.db, "erase the forgotten text"):
                self.db.execute("INSERT INTO memories_fts(memories_fts) VALUES ('optimize')")
                self.db.execute("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')")
        busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("Another process is reading the database; the forgotten text leaves its log later")

    def supersede(self, old_id: str, new_id: str) -> Memory | None:
        """Mark ``old_id`` as replaced by ``new_id`` (kept as history, hidden from recall)."""
        return self.update(old_id, superseded_by=new_id, superseded_at=utc_now())

    # The old name, kept for callers written before ``memories``; it sits last so that no annotation above
    # reads ``list`` as this method.
    list = memories
