"""Where the device token and the data key live: the OS keyring, never a config file.

Without a keyring backend (common on headless machines) saving fails with a clear `SyncSecretsError`. The
documented, explicit fallback is a file in the data folder readable only by its owner (0600), enabled with
`ARIS_SYNC_INSECURE_FILE_SECRETS=1` or `sync setup --insecure-file-secrets`. Anyone who can read that file
(or a backup of it) can read the synced data, so it is opt-in and warned about.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from app.paths import DataPaths
from app.sync.errors import SyncSecretsError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "aris-sync"
INSECURE_FILE_ENV = "ARIS_SYNC_INSECURE_FILE_SECRETS"
SECRETS_FILE_NAME = "sync-secrets.json"


class SecretsBackend(StrEnum):
    """Where a device's sync secrets are kept."""

    KEYRING = "keyring"
    FILE = "file"


@dataclass(frozen=True)
class SyncSecrets:
    """The two secrets a signed-in device holds."""

    token: str
    data_key: bytes

    def to_json(self) -> str:
        """Serialised form for the keyring entry or the file."""
        return json.dumps({"token": self.token, "data_key": base64.b64encode(self.data_key).decode()})

    @classmethod
    def from_json(cls, text: str) -> SyncSecrets:
        """Parse the serialised form; SyncSecretsError if it is damaged."""
        try:
            fields = json.loads(text)
            return cls(str(fields["token"]), base64.b64decode(fields["data_key"], validate=True))
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise SyncSecretsError("The saved sync secrets are damaged. Run `sync setup` again.") from error


class SecretStore(Protocol):
    """Keeps one device's SyncSecrets."""

    backend: SecretsBackend

    def load(self) -> SyncSecrets | None:
        """The saved secrets, or None."""
        ...

    def save(self, secrets: SyncSecrets) -> None:
        """Save (replacing any previous)."""
        ...

    def delete(self) -> None:
        """Forget the secrets; no error if there were none."""
        ...


def insecure_file_allowed() -> bool:
    """Whether the user opted in to the file fallback through the environment."""
    return os.environ.get(INSECURE_FILE_ENV, "").strip().lower() in {"1", "true", "yes"}


class KeyringSecretStore:
    """Secrets in the OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)."""

    backend = SecretsBackend.KEYRING

    def __init__(self, paths: DataPaths) -> None:
        # One entry per data folder, so two Aris profiles on one machine never share a device identity.
        self.entry = "device-" + hashlib.sha256(str(paths.root).encode()).hexdigest()[:16]

    def load(self) -> SyncSecrets | None:
        """The saved secrets, or None."""
        try:
            text = keyring.get_password(KEYRING_SERVICE, self.entry)
        except KeyringError as error:
            raise _keyring_failed(error) from error
        return SyncSecrets.from_json(text) if text else None

    def save(self, secrets: SyncSecrets) -> None:
        """Save into the keyring."""
        try:
            keyring.set_password(KEYRING_SERVICE, self.entry, secrets.to_json())
        except KeyringError as error:
            raise _keyring_failed(error) from error

    def delete(self) -> None:
        """Remove the keyring entry."""
        try:
            keyring.delete_password(KEYRING_SERVICE, self.entry)
        except PasswordDeleteError:
            return
        except KeyringError as error:
            raise _keyring_failed(error) from error


class FileSecretStore:
    """INSECURE fallback: secrets in a 0600 file in the data folder (see the module docstring)."""

    backend = SecretsBackend.FILE

    def __init__(self, paths: DataPaths) -> None:
        self.path: Path = paths.root / SECRETS_FILE_NAME

    def load(self) -> SyncSecrets | None:
        """The saved secrets, or None."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            raise SyncSecretsError(f"Cannot read {self.path}: {error.strerror}.") from error
        return SyncSecrets.from_json(text)

    def save(self, secrets: SyncSecrets) -> None:
        """Write atomically with owner-only permissions from the first byte."""
        log.warning("Keeping sync secrets in %s instead of the OS keyring (opted in)", self.path)
        temporary = self.path.with_suffix(".tmp")
        try:
            temporary.unlink(missing_ok=True)
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            raise SyncSecretsError(f"Cannot write {self.path}: {error.strerror}.") from error

    def delete(self) -> None:
        """Delete the file."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as error:
            raise SyncSecretsError(f"Cannot delete {self.path}: {error.strerror}.") from error


def open_secret_store(paths: DataPaths, backend: SecretsBackend) -> SecretStore:
    """The store for `backend`; the file store only when the user opted in."""
    if backend is SecretsBackend.FILE:
        return FileSecretStore(paths)
    return KeyringSecretStore(paths)


def choose_backend(paths: DataPaths, *, insecure_file: bool) -> SecretsBackend:
    """The keyring when it works; the file only on explicit opt-in; otherwise a clear error."""
    if insecure_file or insecure_file_allowed():
        return SecretsBackend.FILE
    KeyringSecretStore(paths).load()  # raises SyncSecretsError (with the opt-in hint) without a keyring
    return SecretsBackend.KEYRING


def _keyring_failed(error: KeyringError) -> SyncSecretsError:
    if isinstance(error, NoKeyringError):
        detail = "No OS keyring is available (common on headless machines or without a desktop session)."
    else:
        detail = f"The OS keyring refused ({error})."
    return SyncSecretsError(
        f"{detail} Aris keeps the sync token and encryption key only in the keyring. To keep them in a "
        f"file readable only by you instead (less safe: anyone who can read the file or its backups can read "
        f"your synced data), set {INSECURE_FILE_ENV}=1 or pass --insecure-file-secrets to `sync setup`."
    )
