"""Sync for one data folder: set up, run a round, report status, log out. The CLI and the shell call these.

Two secrets are involved and kept apart on purpose: the account password signs the device in (the server
sees it, and stores only its argon2 hash); the sync passphrase unlocks the data key on the device (the server
never sees it). They may be the same words, but then whoever runs the server could read the data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from app.errors import ArisError
from app.paths import DataPaths
from app.storage.database import node_clock, open_database
from app.sync.account import SyncAccount, delete_account, load_account, save_account
from app.sync.client import RetryPolicy, SyncClient
from app.sync.crypto import (
    KdfParams,
    RecordCipher,
    new_data_key,
    rewrap_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from app.sync.engine import EngineLimits, SyncEngine, SyncReport
from app.sync.errors import (
    SyncConflictError,
    SyncError,
    SyncKeyChangedError,
    SyncNotConfiguredError,
    SyncPassphraseError,
    SyncSecretsError,
    SyncUnavailableError,
)
from app.sync.protocol import SessionInfo, SyncDevice
from app.sync.secrets import SyncSecrets, choose_backend, open_secret_store
from app.sync.store import LocalSyncStore

log = logging.getLogger(__name__)

_LAST_ROUND_KEY = "last_round"
_KEY_VERSION_KEY = "key_version"


@dataclass(frozen=True)
class SetupRequest:
    """What `sync setup` needs from the user."""

    server_url: str
    username: str
    password: str
    """Account password, checked by the server."""
    passphrase: str
    """Sync passphrase: derives the key that unlocks the data key; never leaves the device."""
    device_name: str
    register: bool = False
    """Create the account instead of signing in to an existing one."""
    insecure_file_secrets: bool = False
    """Keep the token and key in a 0600 file when there is no OS keyring (see `app.sync.secrets`)."""
    kdf: KdfParams | None = None
    """Argon2id cost for a new account's key envelope (tests lower it); None for the default."""
    invite_code: str | None = None
    """For registering on a server that asks for its operator's invite code."""


@dataclass(frozen=True)
class SyncOverview:
    """Sync status for the shell's settings page and tray, and for `sync status`."""

    configured: bool
    server_url: str | None = None
    username: str | None = None
    device_id: str | None = None
    secrets_backend: str | None = None
    last_sync_at: str | None = None
    """ISO 8601 UTC time of the last successful round."""
    last_attempt_at: str | None = None
    pending: int | None = None
    """Local changes the server has not acknowledged yet."""
    last_error_code: str | None = None
    last_error_message: str | None = None
    """Why the last round failed; None when it succeeded."""
    rejected_records: int = 0
    """Records the last round refused because they failed their integrity check."""
    repaired_records: int = 0
    """Of those, how many this device replaced on the server with its own good copy."""
    unreadable_records: int = 0
    """Authentic records kept aside because this version of Aris cannot read them (an update applies them)."""

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready fields."""
        return dict(self.__dict__)


@contextmanager
def _local_store(paths: DataPaths) -> Iterator[LocalSyncStore]:
    db = open_database(paths.database)
    try:
        yield LocalSyncStore(db, node_clock(db))
    finally:
        db.close()


def setup(paths: DataPaths, request: SetupRequest, *, retry: RetryPolicy | None = None) -> SyncAccount:
    """Sign this device in (or register), unlock or create the data key, keep the secrets, reset sync state.

    Raises:
        SyncError: unreachable server, wrong password or passphrase, no keyring without opt-in, …; nothing
            is saved then, and a device session opened on the way is revoked again.
    """
    server_url = _checked_server_url(request.server_url)
    backend = choose_backend(paths, insecure_file=request.insecure_file_secrets)
    previous = _previous_session(paths)
    with SyncClient(server_url, retry=retry) as client:
        if request.register:
            session = client.register(
                request.username, request.password, request.device_name, request.invite_code
            )
        else:
            session = client.login(request.username, request.password, request.device_name)
        try:
            data_key, key_version = _unlock_data_key(client, session, request)
            account = SyncAccount(
                server_url=client.base_url,
                username=session.username,
                device_id=session.device_id,
                device_name=request.device_name,
                secrets_backend=backend,
            )
            open_secret_store(paths, backend).save(SyncSecrets(session.token, data_key))
        except BaseException:
            _revoke_quietly(client, session.device_id)
            raise
    save_account(paths, account)
    with _local_store(paths) as store:
        store.reset()  # a new account or server has seen nothing of this device yet
        store.set_meta(_KEY_VERSION_KEY, str(key_version))
    if previous is not None:
        _retire(paths, previous, account)
    log.info("Sync set up for %s at %s (device %s)", account.username, account.server_url, account.device_id)
    return account


def _previous_session(paths: DataPaths) -> tuple[SyncAccount, SyncSecrets | None] | None:
    """The account this device was set up with before, if any (to sign that session out afterwards)."""
    try:
        account = load_account(paths)
    except SyncError:
        return None
    try:
        return account, open_secret_store(paths, account.secrets_backend).load()
    except SyncError:
        return account, None


def _retire(paths: DataPaths, previous: tuple[SyncAccount, SyncSecrets | None], current: SyncAccount) -> None:
    """After a new setup: revoke the old device session (no dangling token) and drop secrets left elsewhere."""
    account, secrets = previous
    if secrets is not None and (account.server_url, account.device_id) != (
        current.server_url,
        current.device_id,
    ):
        with SyncClient(account.server_url, secrets.token, retry=RetryPolicy(attempts=1)) as client:
            _revoke_quietly(client, account.device_id)
    if account.secrets_backend is not current.secrets_backend:
        try:
            open_secret_store(paths, account.secrets_backend).delete()
        except SyncError:
            log.warning("Could not remove the old sync secrets from the %s", account.secrets_backend.value)


def _checked_server_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SyncError(
            f"'{url}' is not a server address. Give it in full, such as https://sync.example.org."
        )
    if parts.scheme == "http" and parts.hostname not in {"localhost", "127.0.0.1", "::1"}:
        log.warning("Syncing over plain HTTP: records stay encrypted, but the device token can be overheard")
    return url.strip().rstrip("/")


def _unlock_data_key(client: SyncClient, session: SessionInfo, request: SetupRequest) -> tuple[bytes, int]:
    """The data key and the envelope version it came from (a new key for a new account)."""
    if session.key_envelope is not None:
        key = unwrap_data_key(session.key_envelope, request.passphrase, session.key_salt)
        return key, session.key_envelope_version
    data_key = new_data_key()
    try:
        stored = client.put_key_envelope(
            wrap_data_key(data_key, request.passphrase, session.key_salt, request.kdf), 0
        )
    except SyncConflictError:
        # Another device created the key meanwhile: use that one.
        current = client.get_key_envelope()
        if current.envelope is None:
            raise
        return unwrap_data_key(current.envelope, request.passphrase, current.key_salt), current.version
    return data_key, stored.version


def _revoke_quietly(client: SyncClient, device_id: str) -> None:
    try:
        client.revoke_device(device_id)
    except SyncError:
        log.warning(
            "Could not revoke device session %s; revoke it later with `sync revoke`", device_id, exc_info=True
        )


@dataclass
class SyncSession:
    """A configured device, ready to run rounds: what the background runner drives."""

    paths: DataPaths
    account: SyncAccount
    client: SyncClient
    store: LocalSyncStore
    engine: SyncEngine

    def sync_once(self) -> SyncReport:
        """One round; its outcome (or error) is saved for `overview`."""
        attempt = _now()
        try:
            report = self.engine.sync_once()
        except ArisError as error:  # sync errors, and a local database that is busy or full
            self._save_round(attempt, None, error)
            raise
        self._save_round(attempt, report, None)
        return report

    def has_local_changes(self) -> bool:
        """Whether local edits wait to be sent."""
        return self.store.pending_count() > 0

    def close(self) -> None:
        """Close the connection and the database."""
        self.client.close()
        self.store.db.close()

    def _save_round(self, attempt: str, report: SyncReport | None, error: ArisError | None) -> None:
        previous = _last_round(self.store)
        state = {
            "last_attempt_at": attempt,
            "last_sync_at": attempt if error is None else previous.get("last_sync_at"),
            "last_error_code": error.code if error else None,
            "last_error_message": error.message if error else None,
            "rejected_records": len(report.tampered) if report else 0,
            "repaired_records": len(report.repaired) if report else 0,
            "unreadable_records": report.unreadable if report else previous.get("unreadable_records", 0),
        }
        self.store.set_meta(_LAST_ROUND_KEY, json.dumps(state))


def open_session(
    paths: DataPaths, *, retry: RetryPolicy | None = None, limits: EngineLimits | None = None
) -> SyncSession:
    """Everything a round needs, from the account file, the secret store and the database."""
    account = load_account(paths)
    secrets = _load_secrets(paths, account)
    client = SyncClient(account.server_url, secrets.token, retry=retry)
    db = open_database(paths.database)
    store = LocalSyncStore(db, node_clock(db))
    known = store.get_meta(_KEY_VERSION_KEY)
    engine = SyncEngine(
        client,
        RecordCipher(secrets.data_key),
        store,
        account.device_id,
        limits=limits,
        key_version=int(known) if known and known.isdigit() else None,
    )
    return SyncSession(paths, account, client, store, engine)


def sync_now(
    paths: DataPaths, *, retry: RetryPolicy | None = None, allow_deletions: bool = False
) -> SyncReport:
    """Run one round now; `allow_deletions` is the user's yes to deleting a large share of the memories."""
    session = open_session(paths, retry=retry)
    session.engine.allow_mass_deletion = allow_deletions
    try:
        return session.sync_once()
    finally:
        session.close()


def overview(paths: DataPaths) -> SyncOverview:
    """The sync status of this data folder, without touching the network."""
    try:
        account = load_account(paths)
    except SyncNotConfiguredError:
        return SyncOverview(configured=False)
    with _local_store(paths) as store:
        last = _last_round(store)
        pending = store.pending_count()
    return SyncOverview(
        configured=True,
        server_url=account.server_url,
        username=account.username,
        device_id=account.device_id,
        secrets_backend=account.secrets_backend.value,
        last_sync_at=_text(last.get("last_sync_at")),
        last_attempt_at=_text(last.get("last_attempt_at")),
        pending=pending,
        last_error_code=_text(last.get("last_error_code")),
        last_error_message=_text(last.get("last_error_message")),
        rejected_records=_count(last.get("rejected_records")),
        repaired_records=_count(last.get("repaired_records")),
        unreadable_records=_count(last.get("unreadable_records")),
    )


def logout(paths: DataPaths) -> bool:
    """Revoke this device on the server, then forget the token, key and account here; local data stays.

    Returns whether the server confirmed the revocation (False when it could not be reached: the device is
    still signed out locally, and can be revoked later from another device's `sync devices`).
    """
    account = load_account(paths)
    secrets_store = open_secret_store(paths, account.secrets_backend)
    secrets = secrets_store.load()
    revoked = False
    if secrets is not None:
        with SyncClient(account.server_url, secrets.token, retry=RetryPolicy(attempts=1)) as client:
            try:
                client.revoke_device(account.device_id)
                revoked = True
            except SyncUnavailableError:
                log.warning("Sync server unreachable; signing out locally only")
            except SyncError as error:
                if error.server_code not in {"token_revoked", "invalid_token", "not_found"}:
                    raise
                revoked = True  # already signed out on the server
    secrets_store.delete()
    delete_account(paths)
    with _local_store(paths) as store:
        store.reset()
    return revoked


def change_passphrase(paths: DataPaths, old: str, new: str, *, kdf: KdfParams | None = None) -> None:
    """Re-wrap the account's data key under a new sync passphrase.

    Records stay as they are (they are encrypted with the data key, which does not change), so other devices
    keep syncing; the new passphrase is what a device set up from now on needs.

    Raises:
        SyncPassphraseError: `old` does not unlock the key.
        SyncConflictError: another device changed the passphrase meanwhile.
    """
    if not new:
        raise SyncPassphraseError("The new sync passphrase cannot be empty.")
    account = load_account(paths)
    with _signed_in_client(paths, account) as client:
        current = client.get_key_envelope()
        if current.envelope is None:
            raise SyncNotConfiguredError("This account has no encryption key yet. Run `sync setup` again.")
        envelope = rewrap_data_key(current.envelope, old, new, current.key_salt, kdf)
        stored = client.put_key_envelope(envelope, current.version)
    with _local_store(paths) as store:
        store.set_meta(_KEY_VERSION_KEY, str(stored.version))


def change_account_password(paths: DataPaths, current: str, new: str) -> None:
    """Change the account password (what signs devices in); the server signs every other device out.

    The sync passphrase and the data are unaffected; the other devices run `sync setup` with the new password.
    """
    if current == new:
        raise SyncError("The new password is the same as the current one; nothing was changed.")
    account = load_account(paths)
    with _signed_in_client(paths, account) as client:
        client.change_password(current, new)


def delete_server_account(paths: DataPaths, password: str) -> None:
    """Delete the account and everything it stored on the server, then sign this device out locally.

    Local data stays on every device; other devices find themselves signed out at their next round.
    """
    account = load_account(paths)
    with _signed_in_client(paths, account) as client:
        client.delete_account(password)
    open_secret_store(paths, account.secrets_backend).delete()
    delete_account(paths)
    with _local_store(paths) as store:
        store.reset()
    log.info("Deleted the sync account %s at %s", account.username, account.server_url)


def rotate_key(paths: DataPaths, passphrase: str, *, kdf: KdfParams | None = None) -> int:
    """Make a new data key, then re-encrypt and re-send every record under it; returns how many were sent.

    After this, whatever is written (and every record, once re-sent) can only be read with the new key, which
    only devices that know the sync passphrase can unlock: a revoked or stolen device keeps just the old one.
    Other devices are asked to `sync unlock` once. If the upload is cut short, `sync now` finishes it.
    """
    session = open_session(paths)
    try:
        current = session.client.get_key_envelope()
        if current.envelope is None:
            raise SyncNotConfiguredError("This account has no encryption key yet. Run `sync setup` again.")
        old_key = unwrap_data_key(current.envelope, passphrase, current.key_salt)
        if RecordCipher(old_key).key_id != session.engine.cipher.key_id:
            raise SyncKeyChangedError(
                "This device's key is out of date: run `python main.py sync unlock` first, then rotate."
            )
        session.sync_once()  # everything this device has is on the server under the old key first
        data_key = new_data_key()
        stored = session.client.put_key_envelope(
            wrap_data_key(data_key, passphrase, current.key_salt, kdf), current.version
        )
        _save_data_key(session, data_key, stored.version)
        count = session.store.restamp_all()
        session.engine.cipher = RecordCipher(data_key)
        session.sync_once()
    finally:
        session.close()
    log.info("Data key rotated; %d records re-encrypted", count)
    return count


def unlock(paths: DataPaths, passphrase: str) -> None:
    """Take up the account's current data key (after a rotation on another device) with the sync passphrase."""
    account = load_account(paths)
    secrets = _load_secrets(paths, account)
    with SyncClient(account.server_url, secrets.token) as client:
        current = client.get_key_envelope()
    if current.envelope is None:
        raise SyncNotConfiguredError("This account has no encryption key yet. Run `sync setup` again.")
    data_key = unwrap_data_key(current.envelope, passphrase, current.key_salt)
    open_secret_store(paths, account.secrets_backend).save(SyncSecrets(secrets.token, data_key))
    with _local_store(paths) as store:
        store.set_meta(_KEY_VERSION_KEY, str(current.version))


def _save_data_key(session: SyncSession, data_key: bytes, version: int) -> None:
    secrets = open_secret_store(session.paths, session.account.secrets_backend)
    current = secrets.load()
    if current is None:
        raise SyncSecretsError("This device's sync token vanished from the keyring during the rotation.")
    secrets.save(SyncSecrets(current.token, data_key))
    session.store.set_meta(_KEY_VERSION_KEY, str(version))
    session.engine.key_version = version


def list_devices(paths: DataPaths) -> list[SyncDevice]:
    """The account's signed-in devices, as the server knows them."""
    account = load_account(paths)
    with _signed_in_client(paths, account) as client:
        return client.list_devices()


def revoke_device(paths: DataPaths, device_id: str) -> None:
    """Sign another device of the account out (a lost laptop); its token stops working at once."""
    account = load_account(paths)
    if device_id == account.device_id:
        raise SyncError("That is this device: use `python main.py sync logout` to sign it out.")
    with _signed_in_client(paths, account) as client:
        client.revoke_device(device_id)


def _signed_in_client(paths: DataPaths, account: SyncAccount) -> SyncClient:
    return SyncClient(account.server_url, _load_secrets(paths, account).token)


def _load_secrets(paths: DataPaths, account: SyncAccount) -> SyncSecrets:
    secrets = open_secret_store(paths, account.secrets_backend).load()
    if secrets is None:
        raise SyncSecretsError(
            "This device's sync token and key are missing from the keyring. Run `python main.py sync setup` again."
        )
    return secrets


def _last_round(store: LocalSyncStore) -> dict[str, object]:
    text = store.get_meta(_LAST_ROUND_KEY)
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    """A string field of the stored round summary; anything else (an older or damaged entry) as absent."""
    return value if isinstance(value, str) else None


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
