"""Request and response bodies. Untrusted input is validated here, before any handler runs."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from server.wire import HLC_PATTERN, PushStatus, RecordKind

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{2,63}$"
RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
DEVICE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
BATCH_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"

MAX_BATCH_RECORDS = 1000
# Base64 of 1 MiB: one record's ciphertext may not exceed about 1 MiB.
MAX_CIPHERTEXT_CHARS = 1_398_104

Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=1024)]
DeviceName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Credentials(_Model):
    """Username and password, plus a name for the device that is signing in."""

    username: Username
    password: Password
    device_name: DeviceName = "device"
    invite_code: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None,
        description="Registration only: the operator's invite code, when the server asks for one.",
    )


class PasswordChangeIn(_Model):
    """A new account password; every other device of the account is signed out."""

    current_password: Password
    new_password: Password


class AccountDeletionIn(_Model):
    """The account password again, because deleting an account removes every record on the server."""

    password: Password


class SessionOut(_Model):
    """A new device session: the token is shown only this once."""

    username: str
    device_id: str
    token: str = Field(description="Bearer token for this device; the server keeps only its hash.")
    key_salt: str = Field(description="Base64 salt for deriving the sync passphrase key.")
    key_envelope: str | None = Field(description="The wrapped data key, opaque to the server.")
    key_envelope_version: int


class DeviceOut(_Model):
    """A signed-in device."""

    device_id: str
    name: str
    created_at: datetime
    last_seen_at: datetime
    current: bool = Field(description="True for the device making this request.")


class DeviceList(_Model):
    """The account's active devices."""

    devices: list[DeviceOut]


class KeyEnvelopeOut(_Model):
    """The account's key salt and wrapped data key."""

    key_salt: str
    key_envelope: str | None
    key_envelope_version: int


class KeyEnvelopeIn(_Model):
    """Replace the wrapped data key if nobody changed it since `expected_version` was read."""

    key_envelope: Annotated[str, StringConstraints(min_length=1, max_length=8192)]
    # One below the column's 32-bit limit, because storing bumps the version by one.
    expected_version: Annotated[int, Field(ge=0, le=2**31 - 2)]


class RecordIn(_Model):
    """One encrypted record version pushed by a device."""

    id: Annotated[str, StringConstraints(pattern=RECORD_ID_PATTERN)]
    kind: RecordKind
    hlc: Annotated[str, StringConstraints(pattern=HLC_PATTERN)]
    deleted: bool = False
    ciphertext: Annotated[str, StringConstraints(min_length=4, max_length=MAX_CIPHERTEXT_CHARS)]

    @field_validator("ciphertext")
    @classmethod
    def _must_be_base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError("ciphertext must be standard base64") from error
        return value

    def ciphertext_bytes(self) -> bytes:
        """The decoded ciphertext."""
        return base64.b64decode(self.ciphertext)


class PushIn(_Model):
    """A batch of record versions, stored whole or not at all."""

    batch_id: Annotated[str, StringConstraints(pattern=BATCH_ID_PATTERN)] = Field(
        description="Client-chosen id; a retry with the same id returns the first answer."
    )
    records: Annotated[list[RecordIn], Field(min_length=1, max_length=MAX_BATCH_RECORDS)]


class PushResult(_Model):
    """The outcome for one pushed record."""

    id: str
    hlc: str
    status: PushStatus


class PushOut(_Model):
    """The outcome of a batch."""

    batch_id: str
    results: list[PushResult]


class RecordOut(_Model):
    """One encrypted record as stored."""

    id: str
    kind: RecordKind
    hlc: str
    deleted: bool
    ciphertext: str
    device_id: str = Field(description="The signed-in device that pushed this version.")


class PullOut(_Model):
    """A page of the change feed."""

    records: list[RecordOut]
    cursor: str = Field(description="Opaque; pass it back to get the changes after this page.")
    has_more: bool


class Health(_Model):
    """Liveness, database reachability and whether its storage has room."""

    status: str
    database: str
    storage: str = Field(default="ok", description="'full' when writes fail (or would) for lack of space.")


class ErrorBody(_Model):
    """An error's stable code and its human message."""

    code: str
    message: str


class ErrorOut(_Model):
    """The shape of every error response."""

    error: ErrorBody
