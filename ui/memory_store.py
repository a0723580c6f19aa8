"""What the memory browser needs from long-term memory: a small Protocol matching app/memory's
MemoryService, so the browser is built and tested without the store (whose behaviour is tested there)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.paths import DataPaths
from engine.pipeline import MemoryHook

log = logging.getLogger(__name__)


class MemoryRecord(Protocol):
    """One memory as the browser shows it (app.storage.records.Memory has these fields)."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def pinned(self) -> bool: ...
    @property
    def updated_at(self) -> str: ...


class MemoryStore(Protocol):
    """Browse and curate memories. Every method may raise an ArisError with a message for the user."""

    def list(self) -> Sequence[MemoryRecord]:
        """Live memories, newest first."""
        ...

    def search(self, query: str, limit: int = 50) -> Sequence[MemoryRecord]:
        """The same hybrid recall the assistant uses, best first."""
        ...

    def edit(self, memory_id: str, text: str) -> MemoryRecord:
        """Replace a memory's text."""
        ...

    def pin(self, memory_id: str, pinned: bool = True) -> MemoryRecord:
        """Pinned memories are always recalled."""
        ...

    def forget(self, memory_id: str) -> None:
        """Erase a memory."""
        ...

    def export_json(self, path: Path) -> int:
        """Write every memory to a JSON file; how many were written."""
        ...

    def import_json(self, path: Path) -> int:
        """Add the memories of a JSON export; how many were added."""
        ...


@dataclass(frozen=True)
class OpenedMemory:
    """The store for the browser and the hook for the pipeline (usually the same service object)."""

    store: MemoryStore
    hook: MemoryHook | None


def open_memory(paths: DataPaths) -> OpenedMemory | None:
    """The user's memory service, or None when this build has no memory module yet."""
    try:
        from app.memory.service import MemoryService  # type: ignore[import-not-found]
    except ModuleNotFoundError as error:
        if error.name not in ("app.memory", "app.memory.service"):
            raise
        log.info("No memory service in this build")
        return None
    service = MemoryService.open(paths)
    return OpenedMemory(store=service, hook=service)
