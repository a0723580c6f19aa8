"""Rows as immutable values: what the storage layer hands to the rest of the app."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Memory:
    """One long-term memory. Times are ISO 8601 UTC strings with milliseconds.

    Text is stored in the third person ("The user's sister's name is Alice."), which reads unambiguously in a
    prompt.
    """

    id: str
    """A uuid4 string."""
    text: str
    kind: str
    """fact | preference | person | event | task | note."""
    created_at: str
    updated_at: str
    pinned: bool = False
    source_message_id: str | None = None
    deleted_at: str | None = None
    """Set when the user made Aris forget it (tombstone; the text is erased)."""
    superseded_by: str | None = None
    """The id of the newer memory that contradicted this one; hidden from recall but kept as history."""
    superseded_at: str | None = None
    slot: str | None = None
    """What the fact is about ("lives_in", "rel:sister:name"): two live facts with the same slot conflict."""

    @property
    def is_live(self) -> bool:
        """True if recall may return it."""
        return self.deleted_at is None and self.superseded_by is None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {name: getattr(self, name) for name in MEMORY_FIELDS}

    @classmethod
    def from_row(cls, values: Sequence[Any]) -> Memory:
        """A memory from column values in ``MEMORY_FIELDS`` order (SQLite keeps ``pinned`` as 0/1)."""
        memory = dict(zip(MEMORY_FIELDS, values, strict=True))
        memory["pinned"] = bool(memory["pinned"])
        return cls(**memory)


MEMORY_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Memory))
"""The memory schema: the columns of the ``memories`` table that a memory is made of, in one order. Storage,
export/import and sync all read it from here (``seq`` and ``hlc`` are bookkeeping, not part of a memory)."""


@dataclass(frozen=True)
class ConversationRecord:
    """One conversation (a session of turns)."""

    id: str
    started_at: str
    updated_at: str
    title: str | None = None


@dataclass(frozen=True)
class Message:
    """One message of a conversation, with the stage timings of its turn in seconds (e.g. {"stt": 0.3})."""

    id: str
    conversation_id: str
    role: str
    text: str
    created_at: str
    timings: dict[str, float] = field(default_factory=dict)
