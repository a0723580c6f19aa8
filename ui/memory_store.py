"""What the memory browser needs from long-term memory: a small Protocol matching app/memory's
MemoryService, so the browser is built and tested without the store (whose behaviour is tested there)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from app.assistant import Assistant

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


class BrowsableMemory(Protocol):
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

    def forget(self, memory_id: str) -> object:
        """Erase a memory."""
        ...

    def export_json(self, path: Path) -> int:
        """Write every memory to a JSON file; how many were written."""
        ...

    def import_json(self, path: Path) -> int:
        """Add the memories of a JSON export; how many were added."""
        ...


class ServiceStore:
    """Adapts app/memory's MemoryService to the browser's protocol: search returns ranked hits and
    export/import work on documents, the browser wants records and files."""

    def __init__(self, service: Any) -> None:
        self.service = service

    def list(self) -> Sequence[MemoryRecord]:
        """Live memories, pinned first."""
        return self.service.list()

    def search(self, query: str, limit: int = 50) -> Sequence[MemoryRecord]:
        """The service's hybrid ranking, best first."""
        return [hit.memory for hit in self.service.search(query, limit=limit)]

    def edit(self, memory_id: str, text: str) -> MemoryRecord:
        """Replace the text (the service keeps the old one as history)."""
        return self.service.edit(memory_id, text)

    def pin(self, memory_id: str, pinned: bool = True) -> MemoryRecord:
        """Pin or unpin."""
        return self.service.pin(memory_id, pinned)

    def forget(self, memory_id: str) -> object:
        """Forget everywhere."""
        return self.service.forget(memory_id)

    def export_json(self, path: Path) -> int:
        """Write the service's export document to ``path``."""
        from app.errors import ArisError

        document = self.service.export_json()
        try:
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        except OSError as error:
            raise ArisError(f"Could not write {path}: {error.strerror or error}.") from error
        return len(document.get("memories", []))

    def import_json(self, path: Path) -> int:
        """Validate the file with the memory module's reader, then import it in one transaction."""
        from app.memory.transfer import read_export

        return self.service.import_json(read_export(path)).added


def open_memory(assistant: Assistant) -> BrowsableMemory:
    """The assistant's own memory store (the one its answers recall from) for the browser. Slow the first
    time (vector index, embedder): call it from a worker thread."""
    return ServiceStore(assistant.open_memory())
