"""API errors: each has an HTTP status, a stable `code` and a sentence for the person reading the client's log.

Every error leaves the server as JSON `{"error": {"code": ..., "message": ...}}` (see `server.app`).
"""

from __future__ import annotations


class ServerCommandError(Exception):
    """An operator command (`backup`, `restore`) cannot be done; the message says why, for a person."""


class ApiError(Exception):
    """Base of every error the API returns on purpose."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class InvalidRequestError(ApiError):
    """The request body or parameters do not match the API."""

    status = 422
    code = "invalid_request"


class InvalidCursorError(ApiError):
    """The pull cursor was not issued by this server."""

    status = 400
    code = "invalid_cursor"


class CursorAheadError(ApiError):
    """The cursor points past the newest change: the server lost data or is a different server."""

    status = 409
    code = "cursor_ahead"


class FeedRestoredError(ApiError):
    """The cursor comes from another feed epoch: the database was restored from a backup since it was issued."""

    status = 409
    code = "feed_restored"


class InvalidCredentialsError(ApiError):
    """Wrong username or password."""

    status = 401
    code = "invalid_credentials"


class InvalidTokenError(ApiError):
    """Missing, unknown or revoked device token."""

    status = 401
    code = "invalid_token"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class TokenRevokedError(InvalidTokenError):
    """The device token was revoked (signed out from another device)."""

    code = "token_revoked"


class NotFoundError(ApiError):
    """No such resource for this account."""

    status = 404
    code = "not_found"


class UsernameTakenError(ApiError):
    """Registration with a username that already exists."""

    status = 409
    code = "username_taken"


class RegistrationClosedError(ApiError):
    """The operator turned registration off."""

    status = 403
    code = "registration_closed"


class InviteRequiredError(ApiError):
    """Registration needs the operator's invite code, and none or a wrong one was given."""

    status = 403
    code = "invite_required"


class BatchConflictError(ApiError):
    """A push reused a batch id with different contents."""

    status = 409
    code = "batch_conflict"


class KeyEnvelopeConflictError(ApiError):
    """The key envelope changed since the client read it."""

    status = 409
    code = "key_envelope_conflict"


class ClockSkewError(ApiError):
    """A record's clock is too far in the future."""

    status = 422
    code = "clock_skew"


class BodyTooLargeError(ApiError):
    """The request body is larger than the server accepts."""

    status = 413
    code = "body_too_large"


class RateLimitedError(ApiError):
    """Too many requests; try again after `Retry-After` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class ServerBusyError(ApiError):
    """Too much password work waits already; the client should retry shortly."""

    status = 503
    code = "server_busy"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class StorageFullError(ApiError):
    """The server's disk is full: nothing was stored; the operator must free space."""

    status = 507
    code = "insufficient_storage"
