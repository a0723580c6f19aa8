"""Accounts, device sessions and the wrapped key: the database side of sign-in."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import CursorResult, Executable, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import security
from server.errors import (
    InvalidCredentialsError,
    InvalidTokenError,
    KeyEnvelopeConflictError,
    NotFoundError,
    TokenRevokedError,
    UsernameTakenError,
)
from server.schemas import Credentials, DeviceOut, KeyEnvelopeOut, SessionOut
from server.tables import Device, PushBatch, Record, User

log = logging.getLogger(__name__)

# last_seen_at is only rewritten this often, so reads do not turn into a write per request.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the account and device behind a valid bearer token."""

    user_id: int
    username: str
    device_id: str


def now() -> datetime:
    """The current time, UTC-aware."""
    return datetime.now(UTC)


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive."""
    return username.lower()


def register(session: Session, credentials: Credentials) -> SessionOut:
    """Create an account and its first device session."""
    username = normalise_username(credentials.username)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTakenError(f"The username '{username}' is taken.")
    user = User(
        username=username,
        password_hash=security.hash_password(credentials.password),
        key_salt=security.new_key_salt(),
        key_envelope=None,
        key_envelope_version=0,
        last_seq=0,
        created_at=now(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:  # two registrations raced for the same name
        raise UsernameTakenError(f"The username '{username}' is taken.") from error
    log.info("Account registered", extra={"user_id": user.id})
    return _open_session(session, user, credentials.device_name)


def sign_in(session: Session, credentials: Credentials) -> SessionOut:
    """Check the password and open a new device session."""
    username = normalise_username(credentials.username)
    user = session.scalar(select(User).where(User.username == username))
    if not security.verify_password(user.password_hash if user else None, credentials.password):
        raise InvalidCredentialsError("Wrong username or password.")
    assert user is not None  # verify_password is False without a stored hash
    return _open_session(session, user, credentials.device_name)


def _open_session(session: Session, user: User, device_name: str) -> SessionOut:
    token = security.new_token()
    moment = now()
    device = Device(
        id=security.new_device_id(),
        user_id=user.id,
        name=device_name,
        token_hash=security.token_digest(token),
        created_at=moment,
        last_seen_at=moment,
        revoked_at=None,
    )
    session.add(device)
    session.flush()
    log.info("Device signed in", extra={"user_id": user.id, "device_id": device.id})
    return SessionOut(
        username=user.username,
        device_id=device.id,
        token=token,
        key_salt=base64.b64encode(user.key_salt).decode(),
        key_envelope=user.key_envelope,
        key_envelope_version=user.key_envelope_version,
    )


def authenticate(session: Session, token: str) -> tuple[Principal, bool]:
    """The caller behind `token`, and whether its last-seen time is due for an update."""
    row = session.execute(
        select(Device, User.username)
        .join(User, User.id == Device.user_id)
        .where(Device.token_hash == security.token_digest(token))
    ).first()
    if row is None:
        raise InvalidTokenError("Unknown device token. Sign in again.")
    device, username = row
    if device.revoked_at is not None:
        raise TokenRevokedError("This device was signed out (its token was revoked). Sign in again.")
    stale = now() - _aware(device.last_seen_at) > LAST_SEEN_RESOLUTION
    return Principal(device.user_id, username, device.id), stale


def touch_device(session: Session, principal: Principal) -> None:
    """Record that the device was just seen."""
    session.execute(
        update(Device)
        .where(Device.id == principal.device_id, Device.user_id == principal.user_id)
        .values(last_seen_at=now())
    )


def list_devices(session: Session, principal: Principal) -> list[DeviceOut]:
    """The account's devices that are still signed in, oldest first."""
    devices = session.scalars(
        select(Device)
        .where(Device.user_id == principal.user_id, Device.revoked_at.is_(None))
        .order_by(Device.created_at, Device.id)
    )
    return [
        DeviceOut(
            device_id=d.id,
            name=d.name,
            created_at=_aware(d.created_at),
            last_seen_at=_aware(d.last_seen_at),
            current=d.id == principal.device_id,
        )
        for d in devices
    ]


def revoke_device(session: Session, principal: Principal, device_id: str) -> None:
    """Sign a device of this account out; another account's device is simply not found."""
    changed = _rows_changed(
        session,
        update(Device)
        .where(
            Device.id == device_id,
            Device.user_id == principal.user_id,
            Device.revoked_at.is_(None),
        )
        .values(revoked_at=now()),
    )
    if changed == 0:
        raise NotFoundError(f"No signed-in device '{device_id}' on this account.")
    log.info("Device revoked", extra={"user_id": principal.user_id, "device_id": device_id})


def change_password(session: Session, principal: Principal, current: str, new: str) -> int:
    """Check the current password, store the new one, and sign out every other device; returns how many."""
    user = session.get_one(User, principal.user_id)
    if not security.verify_password(user.password_hash, current):
        raise InvalidCredentialsError("The current password is wrong; nothing was changed.")
    user.password_hash = security.hash_password(new)
    changed = _rows_changed(
        session,
        update(Device)
        .where(Device.user_id == user.id, Device.id != principal.device_id, Device.revoked_at.is_(None))
        .values(revoked_at=now()),
    )
    log.info("Password changed; other devices signed out", extra={"user_id": user.id, "revoked": changed})
    return changed


def delete_account(session: Session, principal: Principal, password: str) -> None:
    """Check the password, then remove the account with every record, device and answered batch."""
    user = session.get_one(User, principal.user_id, with_for_update=True)
    if not security.verify_password(user.password_hash, password):
        raise InvalidCredentialsError("The password is wrong; nothing was deleted.")
    # Explicit rather than relying on ON DELETE CASCADE, which SQLite applies only with foreign keys on.
    for table in (PushBatch, Record, Device):
        session.execute(delete(table).where(table.user_id == user.id))
    session.execute(delete(User).where(User.id == user.id))
    log.info("Account deleted with all its records", extra={"user_id": principal.user_id})


def get_key_envelope(session: Session, principal: Principal) -> KeyEnvelopeOut:
    """The account's key salt and wrapped data key."""
    user = session.get_one(User, principal.user_id)
    return KeyEnvelopeOut(
        key_salt=base64.b64encode(user.key_salt).decode(),
        key_envelope=user.key_envelope,
        key_envelope_version=user.key_envelope_version,
    )


def put_key_envelope(
    session: Session, principal: Principal, envelope: str, expected_version: int
) -> KeyEnvelopeOut:
    """Replace the wrapped data key only if it is still at `expected_version` (compare-and-swap)."""
    changed = _rows_changed(
        session,
        update(User)
        .where(User.id == principal.user_id, User.key_envelope_version == expected_version)
        .values(key_envelope=envelope, key_envelope_version=expected_version + 1),
    )
    if changed == 0:
        raise KeyEnvelopeConflictError(
            "The encryption key was changed from another device meanwhile. Fetch it again and retry."
        )
    return get_key_envelope(session, principal)


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; they were written as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and say how many rows it touched."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)  # DML always returns one; Session.execute is typed for SELECTs
    return result.rowcount
