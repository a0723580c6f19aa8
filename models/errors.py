"""Errors raised when a model cannot be used; each message says which file and how to repair it."""

from __future__ import annotations


class ModelError(Exception):
    """A model file is missing, damaged or unknown."""

    code = "model_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelMissingError(ModelError):
    """A model file the catalogue expects is not on disk."""

    code = "model_missing"


class ModelCorruptError(ModelError):
    """A model file exists but its size or checksum is wrong."""

    code = "model_corrupt"
