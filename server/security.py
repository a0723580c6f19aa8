"""Passwords (argon2id) and device tokens (random, stored only as a SHA-256 digest)."""

from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TOKEN_PREFIX = "aris_"

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified when the username is unknown, so a miss costs as much time as a wrong password.

    Made on first use rather than at import: hashing takes tens of milliseconds."""
    return _hasher.hash("not a real password, only here for timing")


def hash_password(password: str) -> str:
    """An argon2id hash with a random salt, in the encoded PHC form."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; a missing hash still spends the time of a check."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A fresh bearer token with 256 bits of randomness."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token. Tokens are random, so a plain hash is enough (no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_device_id() -> str:
    """A random device id."""
    return secrets.token_hex(8)


def new_key_salt() -> bytes:
    """The per-account salt the clients derive their passphrase key with."""
    return secrets.token_bytes(16)
