"""Export and import of memories as JSON with a format name and version.

An import file is untrusted input: it is validated completely (pydantic) before anything is written, and
then written in one transaction, so a malformed or foreign file changes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.memory.errors import MemoryImportError
from app.memory.rules import KINDS
from app.memory.store import MAX_TEXT, control_character
from app.storage.clock import utc_now
from app.storage.database import write
from app.storage.memory_rows import MemoryRows
from app.storage.records import MEMORY_FIELDS, Memory

FORMAT = "aris-memories"
VERSION = 1


class ExportedMemory(BaseModel):
    """One memory as written to an export file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    kind: str = "fact"
    pinned: bool = False
    created_at: str
    updated_at: str
    source_message_id: str | None = None
    superseded_by: str | None = None
    superseded_at: str | None = None
    slot: str | None = None

    @field_validator("text")
    @classmethod
    def _printable(cls, value: str) -> str:
        problem = control_character(value)
        if problem:
            raise ValueError(f"the text contains {problem}")
        return value

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown kind {value!r}")
        return value

    @field_validator("created_at", "updated_at", "superseded_at")
    @classmethod
    def _iso_time(cls, value: str | None) -> str | None:
        if value is not None:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError("times must include a UTC offset")
        return value


class ExportFile(BaseModel):
    """The whole export document."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["aris-memories"]
    version: Literal[1]
    exported_at: str
    memories: list[ExportedMemory]


EXPORTED_FIELDS = tuple(f for f in MEMORY_FIELDS if f != "deleted_at")
"""A memory's columns as exported: all but the tombstone mark (forgotten memories are never exported)."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    added: int
    skipped: int


def export_document(memories: list[Memory]) -> dict[str, Any]:
    """The export of ``memories`` (forgotten ones are never exported: their text is gone)."""
    entries = [
        ExportedMemory(
            **{f: getattr(m, f) for f in EXPORTED_FIELDS}, **({} if m.kind in KINDS else {"kind": "fact"})
        ).model_dump()
        for m in memories
        if m.deleted_at is None and m.text
    ]
    return {"format": FORMAT, "version": VERSION, "exported_at": utc_now(), "memories": entries}


def import_memories(rows: MemoryRows, document: ExportFile) -> ImportReport:
    """Add the memories of a validated export in one transaction; ids or live texts already here are skipped.

    A memory forgotten here but present in the file is restored: the user chose to bring it back."""
    live_texts = {m.text.lower() for m in rows.memories()}
    added = skipped = 0
    with write(rows.db, "import the memories"):
        for item in document.memories:
            memory = Memory(**item.model_dump(), deleted_at=None)
            existing = rows.get(memory.id)
            if existing is not None and existing.deleted_at is not None:
                rows.update(memory.id, **{f: getattr(memory, f) for f in RESTORED_FIELDS})
            elif existing is not None or (memory.is_live and memory.text.lower() in live_texts):
                skipped += 1
                continue
            else:
                rows.insert_memory(memory)
            live_texts.add(memory.text.lower())
            added += 1
    return ImportReport(added, skipped)


RESTORED_FIELDS = tuple(
    f for f in MEMORY_FIELDS if f not in ("id", "created_at", "updated_at", "source_message_id")
)
"""What a restore from an export sets on a forgotten memory's tombstone."""


def read_export(path: Path) -> ExportFile:
    """Read and validate an export file.

    Raises:
        MemoryImportError: unreadable, not JSON, not an Aris memory export, or invalid; says which.
    """
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MemoryImportError(f"Cannot import {path}: the file does not exist.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise MemoryImportError(
            f"Cannot import {path}: the file cannot be read as text ({error})."
        ) from error
    try:
        data = json.loads(raw)
    except RecursionError:
        raise MemoryImportError(
            f"Cannot import {path}: its JSON is nested too deeply to be a memory export. Nothing was imported."
        ) from None
    except ValueError as error:
        raise MemoryImportError(
            f"Cannot import {path}: it is not valid JSON ({error}). Nothing was imported."
        ) from error
    return parse_export(data, str(path))


def parse_export(data: object, name: str = "the file") -> ExportFile:
    """Validate an already-parsed export document (see read_export)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MemoryImportError(
            f'Cannot import {name}: it is not an Aris memory export (expected "format": "{FORMAT}"). '
            "Nothing was imported."
        )
    version = data.get("version")
    if type(version) is not int or version != VERSION:  # true == 1 in Python, but not in the format
        raise MemoryImportError(
            f"Cannot import {name}: it is export format version {json.dumps(version)}, and this Aris reads "
            f"version {VERSION}. Nothing was imported."
        )
    try:
        document = ExportFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MemoryImportError(
            f"Cannot import {name}: {where}: {first['msg']} ({error.error_count()} problem(s) in all). "
            "Nothing was imported."
        ) from error
    ids = [m.id for m in document.memories]
    if len(ids) != len(set(ids)):
        raise MemoryImportError(
            f"Cannot import {name}: it lists the same memory id twice. Nothing was imported."
        )
    return document


def exported_now() -> str:
    """A timestamp for file names."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
