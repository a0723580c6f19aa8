"""Issue 14, failure 2: records damaged on the server are replaced from a good copy, never skipped forever;
records this version cannot read are kept aside and reported."""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from app.paths import DataPaths
from app.sync.account import load_account
from app.sync.crypto import RecordCipher, RecordHeader
from app.sync.secrets import FileSecretStore
from tests.live_server import LiveServer
from tests.sync.conftest import cli
from tests.sync.devices import PASSWORD, Device, pair


def _attacker(server_url: str, username: str) -> httpx.Client:
    """A device token of the same account (a stolen password), with no data key."""
    answer = httpx.post(
        server_url + "/v1/sessions",
        json={"username": username, "password": PASSWORD, "device_name": "intruder"},
        timeout=30,
    )
    answer.raise_for_status()
    return httpx.Client(
        base_url=server_url, headers={"Authorization": f"Bearer {answer.json()['token']}"}, timeout=30
    )


def _newer(stamp: str) -> str:
    return f"{int(time.time() * 1000) + 5000:013d}-0000-intruder"


@pytest.mark.slow
def test_damaged_records_are_replaced_by_the_good_copy(live_server: LiveServer, tmp_path: Path) -> None:
    honest, _ = pair(live_server.url, tmp_path)
    ids = honest.rows.insert_many((f"Memory {i} about the user.", None) for i in range(8))
    assert cli("sync", "now", data_dir=honest.paths.root).returncode == 0

    with _attacker(live_server.url, load_account(honest.paths).username) as intruder:
        stored = {r["id"]: r for r in intruder.get("/v1/changes", params={"limit": 100}).json()["records"]}
        flipped = bytearray(base64.b64decode(stored[ids[0]]["ciphertext"]))
        flipped[20] ^= 1
        forged = [
            {"id": ids[0], "ciphertext": base64.b64encode(bytes(flipped)).decode(), "deleted": False},
            {"id": ids[1], "ciphertext": stored[ids[2]]["ciphertext"], "deleted": False},
            {"id": ids[2], "ciphertext": stored[ids[2]]["ciphertext"], "deleted": True},
        ]
        body = {
            "batch_id": "intruder-batch-1",
            "records": [{**f, "kind": "memory", "hlc": _newer(stored[f["id"]]["hlc"])} for f in forged],
        }
        assert intruder.post("/v1/changes", json=body).status_code == 200

    first = cli("sync", "now", data_dir=honest.paths.root)
    assert first.returncode == 1
    assert "3 record(s) on the server failed their integrity check" in first.stderr
    assert "3 were replaced on the server" in first.stderr
    assert "Traceback" not in first.stderr
    again = cli("sync", "now", data_dir=honest.paths.root)
    assert again.returncode == 0, again.stderr

    newcomer = Device("newcomer", DataPaths(tmp_path / "newcomer"))
    newcomer.setup(live_server.url, load_account(honest.paths).username)
    fresh = cli("sync", "now", data_dir=newcomer.paths.root)
    assert fresh.returncode == 0, fresh.stderr
    assert newcomer.live_texts() == honest.live_texts() and len(honest.live_texts()) == 8
    status = json.loads(cli("sync", "status", "--json", data_dir=newcomer.paths.root).stdout)
    assert status["rejected_records"] == 0 and status["pending"] == 0


@pytest.mark.slow
def test_records_this_version_cannot_read_are_kept_and_reported(
    live_server: LiveServer, tmp_path: Path
) -> None:
    writer, reader = pair(live_server.url, tmp_path)
    secrets = FileSecretStore(writer.paths).load()
    assert secrets is not None
    # Authentic (written with the account's key), in a format a later Aris might use.
    stamp = f"{int(time.time() * 1000):013d}-0000-futureversion"
    payload = json.dumps({"format": 2, "body": "a memory in a newer format"}).encode()
    header = RecordHeader("future-1", "memory", stamp, False)
    record = {
        "id": "future-1",
        "kind": "memory",
        "hlc": stamp,
        "deleted": False,
        "ciphertext": base64.b64encode(RecordCipher(secrets.data_key).encrypt(header, payload)).decode(),
    }
    answer = httpx.post(
        live_server.url + "/v1/changes",
        json={"batch_id": "newer-version-1", "records": [record]},
        headers={"Authorization": f"Bearer {secrets.token}"},
        timeout=30,
    )
    assert answer.status_code == 200

    for _ in range(2):  # kept across rounds, not skipped after the first
        result = cli("sync", "now", data_dir=reader.paths.root)
        assert result.returncode == 0, result.stderr
        assert "1 record(s) from another device need a newer version of Aris" in result.stdout
    status = cli("sync", "status", data_dir=reader.paths.root)
    assert "1 record(s) need a newer version of Aris" in status.stdout
    with sqlite3.connect(reader.paths.database) as db:
        assert db.execute("SELECT id, payload FROM sync_deferred").fetchall() == [("future-1", payload)]
