"""Small helpers that talk to the live server's API as a client would, for readable tests."""

from __future__ import annotations

import base64
import os
import time
import uuid
from dataclasses import dataclass

import httpx

PASSWORD = "correct horse battery"


@dataclass
class Account:
    """A registered account with one signed-in device."""

    base_url: str
    username: str
    token: str
    device_id: str

    def http(self) -> httpx.Client:
        """A client that sends this device's token."""
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )


def register(base_url: str, device_name: str = "laptop") -> Account:
    """A new account with a unique username."""
    return _open_session(base_url, "/v1/accounts", "user-" + uuid.uuid4().hex[:12], device_name)


def sign_in(base_url: str, username: str, device_name: str = "desktop") -> Account:
    """A second device of an existing account."""
    return _open_session(base_url, "/v1/sessions", username, device_name)


def _open_session(base_url: str, path: str, username: str, device_name: str) -> Account:
    answer = httpx.post(
        base_url + path,
        json={"username": username, "password": PASSWORD, "device_name": device_name},
        timeout=30,
    )
    answer.raise_for_status()
    body = answer.json()
    return Account(base_url, username, body["token"], body["device_id"])


def hlc(offset_ms: int = 0, counter: int = 0, node: str = "node1") -> str:
    """A clock value near now, in the device clock's format."""
    return f"{int(time.time() * 1000) + offset_ms:013d}-{counter:04d}-{node}"


def record(
    record_id: str | None = None, *, stamp: str | None = None, size: int = 48, deleted: bool = False
) -> dict:
    """A push body record with random (opaque) ciphertext."""
    return {
        "id": record_id or str(uuid.uuid4()),
        "kind": "memory",
        "hlc": stamp or hlc(),
        "deleted": deleted,
        "ciphertext": base64.b64encode(os.urandom(size)).decode(),
    }


def pull_all(http: httpx.Client, cursor: str | None = None) -> tuple[list[dict], str | None]:
    """Every record after `cursor`, following pages."""
    records: list[dict] = []
    while True:
        params = {"limit": 1000} | ({"cursor": cursor} if cursor else {})
        answer = http.get("/v1/changes", params=params)
        answer.raise_for_status()
        body = answer.json()
        records.extend(body["records"])
        cursor = body["cursor"]
        if not body["has_more"]:
            return records, cursor
