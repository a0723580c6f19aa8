"""Memory errors: stable codes, sentences for a person."""

from __future__ import annotations

from app.errors import ArisError


class MemoryStoreError(ArisError):
    """Base of the memory feature's errors (named so it does not shadow Python's MemoryError)."""

    code = "memory_error"


class MemoryNotFoundError(MemoryStoreError):
    """No memory has the id the user gave."""

    code = "memory_not_found"


class MemoryImportError(MemoryStoreError):
    """An import file is unreadable, malformed, or not an Aris memory export; nothing was imported."""

    code = "memory_import"


class MemoryInputError(MemoryStoreError):
    """A memory text or option the user gave is not acceptable (empty, too long, unknown kind)."""

    code = "memory_input"


class VectorIndexError(MemoryStoreError):
    """The vector index (Chroma) failed; it is derived data and is rebuilt from the database."""

    code = "vector_index"
