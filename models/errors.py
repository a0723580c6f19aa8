"""The one coded error root, and the errors raised when a model cannot be used.

`ArisError` lives here because `models/` is the bottom layer: `engine/`, `app/` and `ui/` all derive their
errors from it, so a caller catches one type, never a tuple."""

from __future__ import annotations


class ArisError(Exception):
    """Base of every error Aris raises on purpose: a stable ``code`` and a ``message`` for a person."""

    code = "aris_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelError(ArisError):
    """A model file is missing, damaged or unknown."""

    code = "model_error"


class ModelMissingError(ModelError):
    """A model file the catalogue expects is not on disk."""

    code = "model_missing"


class ModelCorruptError(ModelError):
    """A model file exists but its size or checksum is wrong."""

    code = "model_corrupt"


class ModelUnavailableError(ModelError):
    """The catalogue lists the model but gives no publisher checksum, so Aris will not install it."""

    code = "model_unavailable"


class DownloadError(ModelError):
    """A download failed: the server is unreachable, answered with an error, or the connection broke."""

    code = "download_failed"


class InsufficientSpaceError(ModelError):
    """Not enough free disk space for a download."""

    code = "disk_full"


class DownloadCancelledError(ModelError):
    """The user cancelled a download; the partial file is kept so it can resume."""

    code = "download_cancelled"
