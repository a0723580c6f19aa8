"""Operator options: trusting a reverse proxy's client address, and closing registration."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.live_server import LiveServer
from tests.server.api import register


def _sign_in_status(server: LiveServer, username: str, client_ip: str) -> int:
    return httpx.post(
        server.url + "/v1/sessions",
        json={"username": username, "password": "wrong password"},
        headers={"X-Forwarded-For": client_ip},
    ).status_code


def test_forwarded_client_address_is_used_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    server = LiveServer(
        f"sqlite:///{tmp_path / 'proxy.db'}",
        tmp_path,
        extra_args=["--forwarded-allow-ips", "127.0.0.1", "--auth-rate", "3"],
    ).start()
    try:
        username = register(server.url).username  # one attempt, from the proxy's own address
        statuses = [_sign_in_status(server, username, "203.0.113.7") for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        other = register(server.url).username
        assert _sign_in_status(server, other, "198.51.100.9") == 401  # another client is not blocked
    finally:
        server.stop()


def test_registration_can_be_turned_off(tmp_path: Path) -> None:
    server = LiveServer(
        f"sqlite:///{tmp_path / 'closed.db'}", tmp_path, extra_args=["--no-registration"]
    ).start()
    try:
        answer = httpx.post(
            server.url + "/v1/accounts", json={"username": "newcomer", "password": "long enough"}
        )
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "registration_closed"
    finally:
        server.stop()
