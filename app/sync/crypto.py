"""End-to-end encryption of synced records (the server only ever stores ciphertext).

The scheme follows Standard Notes: the sync passphrase and a per-account salt from the server go through
Argon2id to a passphrase key; that key wraps a random 256-bit data key (the "key envelope", stored on the
server, opaque to it); the data key encrypts each record with AES-256-GCM under a fresh random nonce. The
record's id, kind, clock and deletion flag are the associated data, so a ciphertext moved to another record,
replayed under another clock, or turned into a tombstone fails authentication. Changing the passphrase
re-wraps only the data key; records stay as they are.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.sync.errors import SyncKeyChangedError, SyncPassphraseError, SyncProtocolError, SyncTamperedError

KEY_BYTES = 32
NONCE_BYTES = 12
RECORD_FORMAT = 2
"""1: format byte, nonce, ciphertext. 2 (since key rotation): format byte, key id, nonce, ciphertext, the key id
authenticated too, so a device tells "written with a newer key" apart from "damaged"."""
KEY_ID_BYTES = 8
ENVELOPE_FORMAT = 1
_ENVELOPE_AAD = b"aris-sync/key-envelope/v1"
MAX_TIME_COST = 16
MAX_MEMORY_KIB = 1024 * 1024
MAX_PARALLELISM = 8


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. Defaults follow RFC 9106's second recommendation (64 MiB, 3 passes)."""

    time_cost: int = 3
    """Passes over memory; more is slower for us and for a guesser alike."""
    memory_kib: int = 64 * 1024
    """Memory per derivation in KiB (the main cost for GPU guessing)."""
    parallelism: int = 1
    """Lanes; 1 keeps the cost the same on every device."""

    def __post_init__(self) -> None:
        # Upper bounds too: the envelope (and so these numbers) comes from the server, which must not be able
        # to make a device spend gigabytes or minutes on one derivation.
        if not (1 <= self.time_cost <= MAX_TIME_COST and 1 <= self.parallelism <= MAX_PARALLELISM):
            raise ValueError("Argon2 parameters out of range")
        if not 8 * self.parallelism <= self.memory_kib <= MAX_MEMORY_KIB:
            raise ValueError("Argon2 memory cost out of range")


def derive_passphrase_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """The 256-bit key that wraps the data key."""
    if not passphrase:
        raise SyncPassphraseError("The sync passphrase cannot be empty.")
    return hash_secret_raw(
        secret=passphrase.encode(),
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def new_data_key() -> bytes:
    """A fresh random data key for an account's records."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def wrap_data_key(data_key: bytes, passphrase: str, salt: bytes, params: KdfParams | None = None) -> str:
    """The key envelope: `data_key` encrypted under the passphrase key, with its KDF cost, as JSON text."""
    params = params or KdfParams()
    nonce = os.urandom(NONCE_BYTES)
    wrapped = AESGCM(derive_passphrase_key(passphrase, salt, params)).encrypt(nonce, data_key, _ENVELOPE_AAD)
    return json.dumps(
        {
            "v": ENVELOPE_FORMAT,
            "kdf": "argon2id",
            "t": params.time_cost,
            "m": params.memory_kib,
            "p": params.parallelism,
            "nonce": _b64(nonce),
            "wrapped": _b64(wrapped),
        },
        separators=(",", ":"),
    )


def unwrap_data_key(envelope: str, passphrase: str, salt: bytes) -> bytes:
    """The data key from an envelope; SyncPassphraseError when the passphrase is wrong."""
    try:
        fields = json.loads(envelope)
        if fields.get("v") != ENVELOPE_FORMAT or fields.get("kdf") != "argon2id":
            raise ValueError("unknown envelope format")
        params = KdfParams(int(fields["t"]), int(fields["m"]), int(fields["p"]))
        nonce = base64.b64decode(fields["nonce"], validate=True)
        wrapped = base64.b64decode(fields["wrapped"], validate=True)
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as error:
        raise SyncProtocolError(
            "The account's key envelope on the server is unreadable by this version of Aris."
        ) from error
    try:
        return AESGCM(derive_passphrase_key(passphrase, salt, params)).decrypt(nonce, wrapped, _ENVELOPE_AAD)
    except InvalidTag as error:
        raise SyncPassphraseError(
            "That sync passphrase does not unlock this account's data. Use the passphrase chosen on your "
            "first device."
        ) from error


def rewrap_data_key(
    envelope: str, old_passphrase: str, new_passphrase: str, salt: bytes, params: KdfParams | None = None
) -> str:
    """A new envelope for the same data key under a new passphrase (records need no re-encryption)."""
    return wrap_data_key(unwrap_data_key(envelope, old_passphrase, salt), new_passphrase, salt, params)


@dataclass(frozen=True)
class RecordHeader:
    """What is authenticated alongside a record's ciphertext (the server sees these, but cannot alter them)."""

    id: str
    kind: str
    hlc: str
    deleted: bool

    def associated_data(self) -> bytes:
        """The AEAD associated data: binds the ciphertext to exactly this record version."""
        fields = (self.kind, self.id, self.hlc, "1" if self.deleted else "0")
        return b"aris-sync/record/v1\x00" + "\x00".join(fields).encode()


class RecordCipher:
    """Encrypts and decrypts record payloads with one account's data key."""

    def __init__(self, data_key: bytes) -> None:
        if len(data_key) != KEY_BYTES:
            raise ValueError("data key must be 32 bytes")
        self._aead = AESGCM(data_key)
        self.key_id = key_id(data_key)

    def encrypt(self, header: RecordHeader, plaintext: bytes) -> bytes:
        """Format byte, key id, random nonce and ciphertext+tag in one blob."""
        nonce = os.urandom(NONCE_BYTES)
        prefix = bytes([RECORD_FORMAT]) + self.key_id
        return prefix + nonce + self._aead.encrypt(nonce, plaintext, header.associated_data() + prefix)

    def decrypt(self, header: RecordHeader, blob: bytes) -> bytes:
        """The plaintext; SyncKeyChangedError if written with another data key (a rotation), SyncTamperedError if
        the blob was altered or moved."""
        if len(blob) >= 1 + NONCE_BYTES + 16 and blob[0] == 1:  # before key ids
            prefix, aad = blob[:1], header.associated_data()
        elif len(blob) >= 1 + KEY_ID_BYTES + NONCE_BYTES + 16 and blob[0] == RECORD_FORMAT:
            prefix = blob[: 1 + KEY_ID_BYTES]
            aad = header.associated_data() + prefix
            if prefix[1:] != self.key_id:
                raise SyncKeyChangedError(
                    f"Record '{header.id}' was encrypted with another data key; this device's key is out of date."
                )
        else:
            raise SyncTamperedError(f"Record '{header.id}' from the server is malformed; it was not applied.")
        nonce, sealed = blob[len(prefix) : len(prefix) + NONCE_BYTES], blob[len(prefix) + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed, aad)
        except InvalidTag as error:
            raise SyncTamperedError(
                f"Record '{header.id}' from the server failed its integrity check (altered, moved to another "
                "record, or encrypted with another key); it was not applied."
            ) from error


def key_id(data_key: bytes) -> bytes:
    """A short public fingerprint of a data key (HMAC, so it reveals nothing usable about the key)."""
    return hmac.new(data_key, b"aris-sync/key-id/v1", hashlib.sha256).digest()[:KEY_ID_BYTES]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
