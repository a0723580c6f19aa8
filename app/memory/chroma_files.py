"""Erasing deleted vectors from the files Chroma keeps, which a delete through its API leaves behind.

Chroma 1.5's local index has two places that hold a vector after it was deleted:

- its SQLite log (``embeddings_queue``): every upsert with its embedding, until Chroma purges applied rows
  itself, without zeroing the freed bytes. Aris turns that purge off and purges with ``secure_delete``;
- the HNSW segment (``data_level0.bin``): hnswlib only marks a deleted element, its vector stays in the
  element's block. The block is found by the element's label (``index_metadata.pickle`` maps ids to labels;
  each block ends with its label) and its vector overwritten in place. The caller first overwrites the
  element in memory (an upsert of a fixed vector), so a later save of the block writes that vector, not the
  old one.

The layout is hnswlib's, as Chroma persists it (``header.bin``: a version, then hnswlib's sizes and offsets).
Anything unexpected raises :class:`ChromaFormatError`; the caller then rebuilds the index instead."""

from __future__ import annotations

import logging
import os
import pickle
import struct
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import numpy as np

from app.memory.errors import VectorIndexError
from app.storage.sqlite import sqlite3

log = logging.getLogger(__name__)

LOG_DATABASE = "chroma.sqlite3"
_HEADER = struct.Struct("<i6Qii3Qdq")
"""header.bin: version, offsetLevel0, max_elements, cur_element_count, size_data_per_element, label_offset,
offsetData, maxlevel, enterpoint_node, maxM, maxM0, M, mult, ef_construction."""
_LAST = "SELECT max(seq_id) FROM embeddings_queue"
"""The newest log row always stays (as Chroma's own purge keeps it): the log numbers its rows max + 1, so
deleting the newest would hand out numbers the segments have already applied, and they would skip those rows."""
_PURGE_OFF = '{"automatically_purge":false,"_type":"EmbeddingsQueueConfigurationInternal"}'


class ChromaFormatError(VectorIndexError):
    """Chroma's files are not laid out as this module expects (another Chroma version)."""

    code = "vector_index_format"


def _connect(folder: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(folder / LOG_DATABASE), timeout=10)
    conn.execute("PRAGMA secure_delete=ON")  # what this connection deletes is zeroed, not left in free space
    return conn


def take_over_log_purge(folder: Path) -> bool:
    """Turn Chroma's own purge of its applied log rows off (it frees them without zeroing); True if it was on.

    Once switched, the file is vacuumed to drop what earlier purges left in free space. Chroma reads the
    setting when it starts, so the caller reopens its client after a True."""
    conn = _connect(folder)
    try:
        row = conn.execute("SELECT config_json_str FROM embeddings_queue_config").fetchone()
        if row is None or '"automatically_purge":false' in row[0]:
            return False
        conn.execute("UPDATE embeddings_queue_config SET config_json_str = ?", [_PURGE_OFF])
        conn.commit()
        conn.execute("VACUUM")
        return True
    finally:
        conn.close()


def log_position(folder: Path) -> int:
    """The latest change number in Chroma's log (0 when empty)."""
    conn = _connect(folder)
    try:
        return int(conn.execute("SELECT coalesce(max(seq_id), 0) FROM embeddings_queue").fetchone()[0])
    finally:
        conn.close()


def erase_log(folder: Path, ids: Sequence[str], up_to: int) -> None:
    """Delete the log rows of ``ids`` up to change number ``up_to`` (the upserts that carry their vectors),
    zeroing the bytes, and every row Chroma has already applied to both of its segments."""
    conn = _connect(folder)
    try:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            conn.execute(
                f"DELETE FROM embeddings_queue WHERE seq_id <= ? AND seq_id < ({_LAST}) "
                f"AND id IN ({','.join('?' * len(chunk))})",
                [up_to, *chunk],
            )
        _purge_applied(conn)
        conn.commit()
    finally:
        conn.close()


def purge_applied(folder: Path) -> None:
    """Delete (zeroing them) the log rows both segments have applied and saved, but the newest: Chroma
    replays only the rest."""
    conn = _connect(folder)
    try:
        _purge_applied(conn)
        conn.commit()
    finally:
        conn.close()


def _purge_applied(conn: sqlite3.Connection) -> None:
    # A segment that never saved has no max_seq_id row yet: it has applied nothing durably (0).
    conn.execute(
        "DELETE FROM embeddings_queue WHERE seq_id <= (SELECT coalesce(min(coalesce(m.seq_id, 0)), 0) "
        f"FROM segments s LEFT JOIN max_seq_id m ON m.segment_id = s.id) AND seq_id < ({_LAST})"
    )


LabelCache = dict[Path, tuple[tuple[int, int], dict[str, int]]]
"""Id-to-label maps already read, with their file's (mtime, size): Chroma rewrites the file only when it saves
the segment (every 1,000 changes), and reading it costs tens of ms at 100,000 entries."""


def _id_to_label(metadata: Path, cache: LabelCache) -> dict[str, int]:
    try:
        stat = metadata.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = cache.get(metadata)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        id_to_label = pickle.loads(metadata.read_bytes())["id_to_label"]  # Chroma's own file, in our folder
    except (OSError, pickle.UnpicklingError, KeyError, TypeError, EOFError) as error:
        raise ChromaFormatError(f"Unreadable vector index metadata {metadata}: {error}") from error
    cache.clear()
    cache[metadata] = (stamp, id_to_label)
    labels: dict[str, int] = id_to_label
    return labels


def saved_labels(folder: Path, ids: Collection[str], cache: LabelCache) -> dict[Path, list[int]]:
    """The HNSW labels that ``ids`` have in each saved segment (ids never saved have none)."""
    found: dict[Path, list[int]] = {}
    for metadata in folder.glob("*/index_metadata.pickle"):
        id_to_label = _id_to_label(metadata, cache)
        labels = [int(id_to_label[i]) for i in ids if i in id_to_label]
        if labels:
            found[metadata.parent] = labels
    return found


RowCache = dict[Path, np.ndarray]
"""Per segment, the label of every block, as last read: hnswlib never moves a block, so a label found there
stays there (checked before each write), and only labels added since need another read."""


def overwrite_vectors(segment: Path, labels: Sequence[int], replacement: np.ndarray, rows: RowCache) -> int:
    """Write ``replacement`` over the stored vector of every element with one of ``labels``; returns how many.

    Raises:
        ChromaFormatError: the segment's files are not hnswlib's layout.
    """
    try:
        header = _HEADER.unpack((segment / "header.bin").read_bytes()[: _HEADER.size])
    except (OSError, struct.error) as error:
        raise ChromaFormatError(f"Unreadable vector index header in {segment}: {error}") from error
    version, _, _, count, block, label_at, data_at = header[:7]
    data = segment / "data_level0.bin"
    vector = np.ascontiguousarray(replacement, dtype=np.float32).tobytes()
    if version != 1 or data_at + len(vector) > label_at or label_at + 8 > block:
        raise ChromaFormatError(f"Unexpected vector index layout in {segment}: {header[:7]}")
    if not data.exists() or count == 0:
        return 0
    if data.stat().st_size < count * block:
        raise ChromaFormatError(f"{data} is shorter than its header says")
    with data.open("r+b") as handle:
        fd = handle.fileno()

        def holds(row: int, label: int) -> bool:
            return int.from_bytes(os.pread(fd, 8, row * block + label_at), "little") == label

        found = _rows_of(rows.get(segment), labels, holds)
        if found is None:  # a label added since the last read, or a stale read: read them all again
            blocks = np.memmap(handle, dtype=np.uint8, mode="r", shape=(count, block))
            stored = rows[segment] = blocks[:, label_at : label_at + 8].copy().view("<u8").ravel()
            del blocks
            found = [int(np.nonzero(stored == label)[0][0]) for label in labels if (stored == label).any()]
        for row in found:
            os.pwrite(fd, vector, row * block + data_at)
        os.fdatasync(fd)  # the old vector must not come back from the disk after a power cut
    return len(found)


def _rows_of(
    stored: np.ndarray | None, labels: Sequence[int], holds: Callable[[int, int], bool]
) -> list[int] | None:
    """The blocks of ``labels`` by the last read of every block's label; None if there is no such read, or
    it lacks one of them or is no longer right for it."""
    if stored is None:
        return None
    found = []
    for label in labels:
        matches = np.nonzero(stored == label)[0]
        if len(matches) == 0 or not holds(int(matches[0]), label):
            return None
        found.append(int(matches[0]))
    return found
