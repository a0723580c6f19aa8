"""Memory fixtures: the real embedding model loaded once, a fresh store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.memory.embeddings import MiniLMEmbedder
from app.memory.service import MemoryService
from app.paths import DataPaths
from tests.memory.holder import Holder


@pytest.fixture(scope="session")
def embedder(session_paths: DataPaths) -> MiniLMEmbedder:
    """The real all-MiniLM-L6-v2 int8 model, loaded once."""
    return MiniLMEmbedder.from_catalogue(session_paths.cache_dir)


@pytest.fixture
def store_paths(tmp_path: Path) -> DataPaths:
    """A fresh, empty data folder."""
    return DataPaths(tmp_path / "store").ensure()


@pytest.fixture
def memory(store_paths: DataPaths, embedder: MiniLMEmbedder) -> Iterator[MemoryService]:
    """A memory service on a fresh store, learning with the rules only (no language model)."""
    service = MemoryService.open(store_paths, embedder=embedder)
    yield service
    service.close()


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[Holder]:
    """A second process holding a store (in ``tmp_path / "data"``) open, as the running app would."""
    running = Holder(tmp_path / "data")
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.wait()


def reopen(service: MemoryService, embedder: MiniLMEmbedder) -> MemoryService:
    """Close ``service`` and open its store again, as the next start of the app would."""
    service.close()
    return MemoryService.open(service.paths, embedder=embedder)


def fts_ids(service: MemoryService, word: str) -> list[str]:
    """Memory ids whose full-text entry contains ``word``."""
    rows = service.rows.db.execute(
        "SELECT m.id FROM memories_fts JOIN memories m ON m.rowid = memories_fts.rowid "
        "WHERE memories_fts MATCH ?",
        [f'"{word}"'],
    )
    return [row[0] for row in rows]


def index_ids(service: MemoryService) -> set[str]:
    """Ids held by the Chroma index."""
    return set(service.index.entries())
