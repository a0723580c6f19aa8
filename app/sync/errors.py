"""Sync errors: each has a stable code and a sentence for the person using Aris."""

from __future__ import annotations

from app.errors import ArisError


class SyncError(ArisError):
    """Base of every sync error."""

    code = "sync_error"
    server_code: str | None = None
    """The server's error code when the server refused the request."""


class SyncUnavailableError(SyncError):
    """The server could not be reached or is failing; local data is untouched."""

    code = "sync_unavailable"


class SyncServerFullError(SyncUnavailableError):
    """The server's disk is full; nothing was lost, it cannot store changes until its operator frees space."""

    code = "sync_server_full"


class SyncAuthError(SyncError):
    """The server refused this device's credentials."""

    code = "sync_auth"


class SyncWrongPasswordError(SyncAuthError):
    """Wrong username or password at sign-in."""

    code = "sync_wrong_password"


class SyncTokenRevokedError(SyncAuthError):
    """This device was signed out from another device, or its token is unknown."""

    code = "sync_token_revoked"


class SyncConflictError(SyncError):
    """The server refused because of existing state (username taken, key changed meanwhile)."""

    code = "sync_conflict"


class SyncRateLimitedError(SyncError):
    """The server asked us to slow down."""

    code = "sync_rate_limited"


class SyncProtocolError(SyncError):
    """The server answered something this client does not understand or refused the request as invalid."""

    code = "sync_protocol"


class SyncServerResetError(SyncError):
    """The server knows fewer changes than this device has seen (restored from backup or replaced)."""

    code = "sync_server_reset"


class SyncTamperedError(SyncError):
    """A record failed authentication: altered, moved to another id, or encrypted with another key."""

    code = "sync_tampered"


class SyncKeyChangedError(SyncError):
    """Records were encrypted with a newer data key (rotated on another device); unlock it with the passphrase."""

    code = "sync_key_changed"


class SyncPassphraseError(SyncError):
    """The sync passphrase does not unlock this account's key."""

    code = "sync_wrong_passphrase"


class SyncSecretsError(SyncError):
    """The device token or key cannot be kept safely (no OS keyring)."""

    code = "sync_secrets"


class SyncNotConfiguredError(SyncError):
    """Sync was not set up on this device."""

    code = "sync_not_configured"


class SyncStoreUnavailableError(SyncError):
    """There is no local store to sync yet."""

    code = "sync_store_unavailable"


class SyncDeletionsNeedConfirmationError(SyncError):
    """The server holds deletions of a large share of this device's memories; applying them needs a yes."""

    code = "sync_confirm_deletions"

    def __init__(self, message: str, deletions: int, live: int) -> None:
        super().__init__(message)
        self.deletions = deletions
        self.live = live
