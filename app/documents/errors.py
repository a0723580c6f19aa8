"""Errors of the documents feature: stable codes, sentences for a person."""

from __future__ import annotations

from app.errors import ArisError


class DocumentsError(ArisError):
    """Base of the documents feature's errors."""

    code = "documents_error"


class FolderError(DocumentsError):
    """A folder the user named cannot be watched (missing, not a folder) or is not being watched."""

    code = "documents_folder"


class ExtractionError(DocumentsError):
    """A file could not be read as its kind of document (damaged, encrypted, not what its name says)."""

    code = "documents_extraction"
