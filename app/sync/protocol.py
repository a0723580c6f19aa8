"""The sync API's messages as plain dataclasses (what `SyncClient` sends and returns)."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from app.sync.errors import SyncProtocolError
from server.wire import HLC_PATTERN, PushStatus

# The device database's clock values (`app.storage.clock.HybridClock`), as the server checks them.
CLOCK_VALUE = re.compile(HLC_PATTERN)


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in device: the token is secret and must go to the keyring."""

    username: str
    device_id: str
    token: str
    key_salt: bytes
    key_envelope: str | None
    key_envelope_version: int


@dataclass(frozen=True)
class SyncDevice:
    """A device signed in to the account."""

    device_id: str
    name: str
    created_at: str
    last_seen_at: str
    current: bool


@dataclass(frozen=True)
class KeyEnvelope:
    """The account's key salt and wrapped data key (None before the first device set one)."""

    key_salt: bytes
    envelope: str | None
    version: int


@dataclass(frozen=True)
class WireRecord:
    """An encrypted record as the server stores it."""

    id: str
    kind: str
    hlc: str
    deleted: bool
    ciphertext: bytes
    device_id: str

    def to_json(self) -> dict[str, Any]:
        """The push body form (the server records the pushing device from its token, not from the body)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "hlc": self.hlc,
            "deleted": self.deleted,
            "ciphertext": base64.b64encode(self.ciphertext).decode(),
        }


@dataclass(frozen=True)
class PushOutcome:
    """The server's answer to a batch: a status for each (id, hlc)."""

    batch_id: str
    results: list[tuple[str, str, PushStatus]]

    @property
    def stale(self) -> list[tuple[str, str]]:
        """Records the server already has a newer version of."""
        return [(i, h) for i, h, s in self.results if s is PushStatus.STALE]


@dataclass(frozen=True)
class PullPage:
    """A page of the change feed."""

    records: list[WireRecord]
    cursor: str
    has_more: bool


def parse_session(body: Any) -> SessionInfo:
    """A SessionInfo from the register or sign-in answer."""
    try:
        return SessionInfo(
            username=str(body["username"]),
            device_id=str(body["device_id"]),
            token=str(body["token"]),
            key_salt=base64.b64decode(body["key_salt"], validate=True),
            key_envelope=body["key_envelope"],
            key_envelope_version=int(body["key_envelope_version"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise _unexpected("sign-in") from error


def parse_devices(body: Any) -> list[SyncDevice]:
    """The device list."""
    try:
        return [
            SyncDevice(
                device_id=str(d["device_id"]),
                name=str(d["name"]),
                created_at=str(d["created_at"]),
                last_seen_at=str(d["last_seen_at"]),
                current=bool(d["current"]),
            )
            for d in body["devices"]
        ]
    except (KeyError, TypeError) as error:
        raise _unexpected("device list") from error


def parse_key_envelope(body: Any) -> KeyEnvelope:
    """The key envelope answer."""
    try:
        return KeyEnvelope(
            key_salt=base64.b64decode(body["key_salt"], validate=True),
            envelope=body["key_envelope"],
            version=int(body["key_envelope_version"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise _unexpected("key envelope") from error


def parse_push(body: Any) -> PushOutcome:
    """The push answer."""
    try:
        return PushOutcome(
            batch_id=str(body["batch_id"]),
            results=[(str(r["id"]), str(r["hlc"]), PushStatus(r["status"])) for r in body["results"]],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _unexpected("push") from error


def parse_pull(body: Any) -> PullPage:
    """A pull page."""
    try:
        return PullPage(
            records=[
                WireRecord(
                    id=str(r["id"]),
                    kind=str(r["kind"]),
                    hlc=str(r["hlc"]),
                    deleted=bool(r["deleted"]),
                    ciphertext=base64.b64decode(r["ciphertext"], validate=True),
                    device_id=str(r["device_id"]),
                )
                for r in body["records"]
            ],
            cursor=str(body["cursor"]),
            has_more=bool(body["has_more"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise _unexpected("pull") from error


def _unexpected(what: str) -> SyncProtocolError:
    return SyncProtocolError(f"The sync server's {what} answer is not in the expected form.")
