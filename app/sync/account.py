"""This device's sync account (server, username, device id) in `sync.json`; never any secret.

The file is user-editable, so it is validated on load; it is written atomically.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.paths import DataPaths
from app.sync.errors import SyncError, SyncNotConfiguredError
from app.sync.secrets import SecretsBackend

log = logging.getLogger(__name__)

ACCOUNT_FILE_NAME = "sync.json"


class SyncAccount(BaseModel):
    """Which server and account this device syncs with."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    server_url: str = Field(description="Base URL of the sync server, e.g. https://sync.example.org")
    username: str
    device_id: str = Field(description="Server-assigned id of this device; also the node id of its clock.")
    device_name: str
    secrets_backend: SecretsBackend = SecretsBackend.KEYRING


def account_file(paths: DataPaths) -> Path:
    """Where the account settings live."""
    return paths.root / ACCOUNT_FILE_NAME


def load_account(paths: DataPaths) -> SyncAccount:
    """The account; SyncNotConfiguredError if sync was never set up here."""
    path = account_file(paths)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise SyncNotConfiguredError(
            "Sync is not set up on this device. Run `python main.py sync setup`."
        ) from error
    except OSError as error:
        raise SyncError(f"Cannot read {path}: {error.strerror}.") from error
    try:
        return SyncAccount.model_validate(json.loads(text))
    except (ValueError, ValidationError) as error:
        raise SyncError(f"{path} is damaged. Run `python main.py sync setup` again.") from error


def save_account(paths: DataPaths, account: SyncAccount) -> None:
    """Write the account settings atomically."""
    path = account_file(paths)
    temporary = path.with_suffix(".tmp")
    try:
        temporary.write_text(account.model_dump_json(indent=2), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        raise SyncError(f"Cannot write {path}: {error.strerror}.") from error


def delete_account(paths: DataPaths) -> None:
    """Forget the account settings."""
    try:
        account_file(paths).unlink(missing_ok=True)
    except OSError as error:
        raise SyncError(f"Cannot delete {account_file(paths)}: {error.strerror}.") from error
