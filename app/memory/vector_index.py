"""The vector index: Chroma holding one embedding per live memory. It is derived data: the database is the
truth, and this index can be thrown away and rebuilt at any time."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from app.memory.chroma_files import (
    LabelCache,
    RowCache,
    erase_log,
    log_position,
    overwrite_vectors,
    purge_applied,
    saved_labels,
    take_over_log_purge,
)
from app.memory.embeddings import DIMENSIONS, MiniLMEmbedder
from app.memory.errors import IndexBusyError, VectorIndexError
from app.memory.phrasing import to_first_person
from app.storage.sqlite import sqlite3

log = logging.getLogger(__name__)

COLLECTION = "memories"
APPLIED_SEQ_KEY = "aris_applied_seq"
"""Collection metadata: the memories' change number this index reflects (a high-water mark)."""
BLANK = np.eye(1, DIMENSIONS, dtype=np.float32)[0]
"""What a deleted entry's vector is overwritten with before the delete (a fixed unit vector: hnswlib still
walks through deleted elements, and a zero vector has no direction)."""
DATABASE_KEY = "aris_database"
"""Collection metadata: the node id of the database the index was built from (a restored or replaced
database must not be trusted to match by change number alone)."""


def embedding_text(memory_text: str) -> str:
    """What is embedded for a memory: its first-person form ("I live in Lisbon."), which is how the user
    asks about it ("Where do I live?"). Measured with MiniLM: relevant pairs score 0.46-0.80 this way against
    0.29-0.61 for the stored "The user lives in Lisbon.", while unrelated questions stay below 0.25."""
    return to_first_person(memory_text)


def text_hash(text: str) -> str:
    """A short digest of a memory's text, stored beside its vector to detect stale entries."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True)
class VectorHit:
    """A memory id with its cosine similarity to the query (1 = same direction)."""

    id: str
    similarity: float


class VectorIndex:
    """A thin wrapper over one Chroma collection, always opened with our embedding function."""

    def __init__(self, folder: Path, embedder: MiniLMEmbedder) -> None:
        """Open or create the index in ``folder``.

        Raises:
            VectorIndexError: Chroma could not open the folder (it is damaged); the caller rebuilds it.
        """
        self.folder = folder
        self.embedder = embedder
        self._lock_file = _own_folder(folder)
        self._labels: LabelCache = {}
        self._rows: RowCache = {}
        self._client, self._collection = self._open_client()
        try:
            if take_over_log_purge(folder):
                # Chroma reads that setting when it starts: start it again.
                self._client.close()
                self._client, self._collection = self._open_client()
        except (sqlite3.Error, OSError) as error:
            self.close()
            raise VectorIndexError(f"The memory index in {folder} cannot be opened: {error}") from error

    def _open_client(self) -> tuple[Any, Any]:
        """Chroma's client and our collection in ``self.folder``."""
        import chromadb
        from chromadb.config import Settings

        client = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(self.folder), settings=Settings(anonymized_telemetry=False, allow_reset=True)
            )
            collection = client.get_or_create_collection(
                COLLECTION,
                embedding_function=self.embedder,  # type: ignore[arg-type]  # Chroma's protocol, for text input only
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as error:  # chromadb raises bare Exceptions from its Rust core
            if client is not None:
                with contextlib.suppress(Exception):  # release the damaged folder so it can be deleted
                    client.close()  # type: ignore[attr-defined]  # present at run time, missing from ClientAPI
            self._lock_file.close()
            raise VectorIndexError(f"The memory index in {self.folder} cannot be opened: {error}") from error
        return client, collection

    # Bookkeeping ------------------------------------------------------------------------------------------
    def count(self) -> int:
        """Entries in the index."""
        return int(self._guard("count", self._collection.count))

    def applied_seq(self) -> int:
        """The database change number this index is known to reflect."""
        metadata = self._collection.metadata or {}
        value = metadata.get(APPLIED_SEQ_KEY, 0)
        return int(value) if isinstance(value, int | float | str) and str(value).isdigit() else 0

    def database_id(self) -> str:
        """The node id of the database this index reflects ("" for a new index)."""
        return str((self._collection.metadata or {}).get(DATABASE_KEY, ""))

    def set_applied_seq(self, seq: int, database_id: str) -> None:
        """Record that every change up to ``seq`` of database ``database_id`` is in the index."""
        metadata = {APPLIED_SEQ_KEY: int(seq), DATABASE_KEY: database_id}
        self._guard("save", lambda: self._collection.modify(metadata=metadata))

    def ids(self) -> set[str]:
        """Every entry's id (cheap: no vectors or metadata are read)."""
        return set(self._guard("scan", lambda: self._collection.get(include=[]))["ids"])

    def entries(self, page: int = 5000) -> dict[str, str]:
        """Every entry's id and text hash (a full scan, only for repairs)."""
        found: dict[str, str] = {}
        offset = 0
        while True:
            batch = self._guard(
                "scan", lambda o=offset: self._collection.get(include=["metadatas"], limit=page, offset=o)
            )
            ids = batch["ids"]
            for memory_id, metadata in zip(ids, batch["metadatas"] or [{}] * len(ids), strict=True):
                found[memory_id] = str((metadata or {}).get("hash", ""))
            if len(ids) < page:
                return found
            offset += page

    # Changes ----------------------------------------------------------------------------------------------
    def upsert(self, items: Sequence[tuple[str, str]], vectors: np.ndarray | None = None) -> None:
        """Add or replace (id, text) entries; embeds them unless ``vectors`` are given."""
        if not items:
            return
        if vectors is None:
            vectors = self.embedder.embed([embedding_text(text) for _, text in items])
        step = 4000
        for start in range(0, len(items), step):
            chunk = items[start : start + step]
            self._guard(
                "write",
                lambda c=chunk, s=start: self._collection.upsert(
                    ids=[memory_id for memory_id, _ in c],
                    embeddings=vectors[s : s + len(c)],
                    metadatas=[{"hash": text_hash(text)} for _, text in c],
                ),
            )
        self._guard("write", lambda: purge_applied(self.folder))

    def delete(self, ids: Sequence[str]) -> None:
        """Remove entries (ids that are not there are ignored), leaving none of their vectors in any file.

        Each vector is first overwritten in memory (an upsert of a fixed vector), then deleted; the log rows
        that carried it are erased and its block in the saved HNSW segment overwritten (see chroma_files)."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        labels = self._guard("read", lambda: saved_labels(self.folder, ids, self._labels))
        present = self._guard("read", lambda: self._collection.get(ids=ids, include=[]))["ids"]
        up_to = self._guard("read", lambda: log_position(self.folder))
        step = 4000
        for start in range(0, len(present), step):
            chunk = present[start : start + step]
            blanks = np.tile(BLANK, (len(chunk), 1))
            self._guard("delete", lambda c=chunk, b=blanks: self._collection.upsert(ids=c, embeddings=b))
        for start in range(0, len(ids), step):
            chunk = ids[start : start + step]
            self._guard("delete", lambda c=chunk: self._collection.delete(ids=c))
        self._guard("erase", lambda: erase_log(self.folder, ids, up_to))
        for segment, found in labels.items():
            self._guard("erase", lambda s=segment, f=found: overwrite_vectors(s, f, BLANK, self._rows))

    # Queries ----------------------------------------------------------------------------------------------
    def query(self, vector: np.ndarray, limit: int) -> list[VectorHit]:
        """The nearest entries by cosine similarity, best first."""
        total = self.count() if limit > 50 else None
        n = min(limit, total) if total is not None else limit
        if n <= 0:
            return []
        result = self._guard(
            "search",
            lambda: self._collection.query(query_embeddings=[vector], n_results=n, include=["distances"]),
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [VectorHit(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (for scoring full-text hits that the vector search did not return)."""
        if not ids:
            return {}
        result = self._guard("read", lambda: self._collection.get(ids=list(ids), include=["embeddings"]))
        embeddings = result["embeddings"]
        if embeddings is None:
            return {}
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(result["ids"], embeddings, strict=True)}

    def close(self) -> None:
        """Release Chroma's client (its files and threads) so the folder can be deleted or reopened."""
        try:
            self._client.close()
        except Exception as error:  # closing a damaged index must not stop the app from rebuilding it
            log.info("Closing the memory index failed: %s", error)
        finally:
            self._lock_file.close()

    def _guard(self, what: str, call: Callable[..., Any]) -> Any:
        try:
            return call()
        except VectorIndexError:
            raise
        except Exception as error:  # chromadb raises bare Exceptions from its Rust core
            raise VectorIndexError(f"The memory index failed to {what}: {error}") from error


def _own_folder(folder: Path) -> IO[str]:
    """Take the index folder for this process, or raise IndexBusyError.

    Chroma keeps its vector segments in memory and is not safe for two processes writing one folder, so a
    second Aris process (the CLI while the app runs) works from SQLite alone and the owner catches up from the
    change numbers. The lock file sits beside the folder so the folder itself can be deleted and rebuilt.
    The lock is advisory (fcntl); where fcntl does not exist, nothing is locked.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    handle = (folder.parent / f"{folder.name}.lock").open("a", encoding="utf-8")
    try:
        import fcntl
    except ImportError:
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise IndexBusyError(
            f"The memory index in {folder} is in use by another Aris process (probably the running app)."
        ) from None
    return handle


def destroy(folder: Path) -> None:
    """Delete the index folder (it is rebuilt from the database)."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        # Not ours to delete: something else sits where the index goes. Keep it beside, under another name.
        aside = folder.with_name(f"{folder.name}.not-an-index-{int(time.time())}")
        log.warning("%s is not a folder; moved it to %s and rebuilding the memory index", folder, aside)
        folder.rename(aside)
        return
    shutil.rmtree(folder, ignore_errors=True)
