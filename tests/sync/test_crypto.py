"""Record encryption and the key envelope: what is bound to a ciphertext, and what a wrong key gets."""

from __future__ import annotations

import dataclasses
import json

import pytest

from app.sync.crypto import (
    KdfParams,
    RecordCipher,
    RecordHeader,
    new_data_key,
    rewrap_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from app.sync.errors import SyncKeyChangedError, SyncPassphraseError, SyncProtocolError, SyncTamperedError

KDF = KdfParams(time_cost=1, memory_kib=8 * 1024)
SALT = b"0123456789abcdef"
HEADER = RecordHeader("3f2b-memory-id", "memory", "1764061200000-0003-a1b2c3", False)


def test_envelope_opens_only_with_the_passphrase_and_survives_a_passphrase_change() -> None:
    key = new_data_key()
    envelope = wrap_data_key(key, "first passphrase", SALT, KDF)
    assert unwrap_data_key(envelope, "first passphrase", SALT) == key
    with pytest.raises(SyncPassphraseError):
        unwrap_data_key(envelope, "wrong passphrase", SALT)
    changed = rewrap_data_key(envelope, "first passphrase", "second passphrase", SALT, KDF)
    assert unwrap_data_key(changed, "second passphrase", SALT) == key
    with pytest.raises(SyncProtocolError):
        unwrap_data_key("not an envelope", "first passphrase", SALT)
    # A server cannot make the device spend 64 GiB on a derivation.
    costly = json.loads(envelope) | {"m": 64 * 1024 * 1024}
    with pytest.raises(SyncProtocolError, match="unreadable"):
        unwrap_data_key(json.dumps(costly), "first passphrase", SALT)


@pytest.mark.parametrize(
    "changed",
    [
        {"id": "another-memory-id"},
        {"kind": "message"},
        {"hlc": "1764061200000-0004-a1b2c3"},
        {"deleted": True},
    ],
)
def test_ciphertext_is_bound_to_its_record_version(changed: dict) -> None:
    cipher = RecordCipher(new_data_key())
    blob = cipher.encrypt(HEADER, b'{"text": "The user\'s sister is Alice."}')
    assert b"Alice" not in blob
    assert cipher.decrypt(HEADER, blob) == b'{"text": "The user\'s sister is Alice."}'
    with pytest.raises(SyncTamperedError, match="failed its integrity check"):
        cipher.decrypt(dataclasses.replace(HEADER, **changed), blob)


def test_altered_truncated_or_foreign_ciphertext_is_refused() -> None:
    cipher = RecordCipher(new_data_key())
    blob = cipher.encrypt(HEADER, b"payload")
    with pytest.raises(SyncTamperedError):
        cipher.decrypt(HEADER, blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(SyncTamperedError, match="malformed"):
        cipher.decrypt(HEADER, blob[:10])
    with pytest.raises(SyncKeyChangedError):  # another key: told apart from damage by the key id
        RecordCipher(new_data_key()).decrypt(HEADER, blob)
    forged_key_id = blob[:1] + bytes(8) + blob[9:]
    with pytest.raises(SyncKeyChangedError):
        cipher.decrypt(HEADER, forged_key_id)
    assert cipher.encrypt(HEADER, b"payload") != blob  # a fresh nonce every time
