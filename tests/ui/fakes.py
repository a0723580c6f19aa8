"""An in-memory memory store implementing ui.memory_store.BrowsableMemory, for the browser's tests and the
screenshot script (the real store's behaviour is tested in tests/memory)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class FakeMemory:
    """The fields the browser reads."""

    id: str
    text: str
    kind: str = "fact"
    pinned: bool = False
    updated_at: str = ""


class FakeMemoryStore:
    """Memories in a dict; records every call so tests can assert what the browser asked for."""

    def __init__(self, texts: list[str] | None = None) -> None:
        self.items: dict[str, FakeMemory] = {}
        self.calls: list[tuple[str, tuple]] = []
        for text in texts or []:
            self.add(text)

    def add(self, text: str, kind: str = "fact") -> FakeMemory:
        memory = FakeMemory(uuid.uuid4().hex, text, kind, False, _now())
        self.items[memory.id] = memory
        return memory

    def list(self) -> list[FakeMemory]:
        self.calls.append(("list", ()))
        return sorted(self.items.values(), key=lambda m: (not m.pinned, m.updated_at), reverse=False)

    def search(self, query: str, limit: int = 50) -> list[FakeMemory]:
        self.calls.append(("search", (query,)))
        terms = query.lower().split()
        return [m for m in self.items.values() if any(t in m.text.lower() for t in terms)][:limit]

    def edit(self, memory_id: str, text: str) -> FakeMemory:
        self.calls.append(("edit", (memory_id, text)))
        memory = self.items[memory_id] = replace(self.items[memory_id], text=text, updated_at=_now())
        return memory

    def pin(self, memory_id: str, pinned: bool = True) -> FakeMemory:
        self.calls.append(("pin", (memory_id, pinned)))
        memory = self.items[memory_id] = replace(self.items[memory_id], pinned=pinned)
        return memory

    def forget(self, memory_id: str) -> None:
        self.calls.append(("forget", (memory_id,)))
        del self.items[memory_id]

    def export_json(self, path: Path) -> int:
        self.calls.append(("export_json", (path,)))
        path.write_text(json.dumps([m.text for m in self.items.values()]), encoding="utf-8")
        return len(self.items)

    def import_json(self, path: Path) -> int:
        self.calls.append(("import_json", (path,)))
        texts = json.loads(path.read_text(encoding="utf-8"))
        for text in texts:
            self.add(text)
        return len(texts)
