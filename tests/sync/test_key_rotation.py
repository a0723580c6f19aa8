"""Issue 14, keys: `sync rotate-key` re-encrypts everything under a new data key; a revoked device's old key
reads nothing on the server afterwards, and the other devices take up the new key with the passphrase."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.paths import DataPaths
from app.sync.account import load_account
from app.sync.crypto import RecordCipher, RecordHeader
from app.sync.errors import SyncError
from app.sync.secrets import FileSecretStore
from tests.live_server import LiveServer
from tests.sync.conftest import cli
from tests.sync.devices import PASSPHRASE, Device, pair


def _data_key(device: Device) -> bytes:
    secrets = FileSecretStore(device.paths).load()
    assert secrets is not None
    return secrets.data_key


def _server_records(url: str) -> list[tuple[str, str, str, bool, bytes]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT record_id, kind, hlc, deleted, ciphertext FROM records")).all()
    engine.dispose()
    return [(r[0], r[1], r[2], bool(r[3]), bytes(r[4])) for r in rows]


@pytest.mark.slow
def test_rotation_locks_a_revoked_device_out_of_everything(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    stolen = Device("stolen", DataPaths(tmp_path / "stolen"))
    stolen.setup(live_server.url, load_account(laptop.paths).username)
    laptop.rows.insert_many((f"Fact {i} about the user.", None) for i in range(20))
    for device in (laptop, desktop, stolen):
        assert cli("sync", "now", data_dir=device.paths.root).returncode == 0
    old_key = _data_key(stolen)

    revoked = cli("sync", "revoke", load_account(stolen.paths).device_id, data_dir=laptop.paths.root)
    assert revoked.returncode == 0 and "sync rotate-key" in revoked.stdout
    rotated = cli("sync", "rotate-key", data_dir=laptop.paths.root, ARIS_SYNC_PASSPHRASE=PASSPHRASE)
    assert rotated.returncode == 0, rotated.stderr
    assert "20 record(s) re-encrypted" in rotated.stdout
    assert _data_key(laptop) != old_key
    laptop.rows.insert("Written after the rotation.", "fact")
    assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0

    records = _server_records(live_server.database_url)
    assert len(records) == 21
    for record_id, kind, hlc, deleted, ciphertext in records:
        with pytest.raises(SyncError):  # a later copy of the server's data is unreadable with the old key
            RecordCipher(old_key).decrypt(RecordHeader(record_id, kind, hlc, deleted), ciphertext)

    asked = cli("sync", "now", data_dir=desktop.paths.root)
    assert asked.returncode == 1 and "sync unlock" in asked.stderr and "Traceback" not in asked.stderr
    assert len(desktop.live_texts()) == 20
    wrong = cli("sync", "unlock", data_dir=desktop.paths.root, ARIS_SYNC_PASSPHRASE="not the passphrase")
    assert wrong.returncode == 1 and "does not unlock" in wrong.stderr
    assert cli("sync", "unlock", data_dir=desktop.paths.root, ARIS_SYNC_PASSPHRASE=PASSPHRASE).returncode == 0
    synced = cli("sync", "now", data_dir=desktop.paths.root)
    assert synced.returncode == 0, synced.stderr
    assert "Written after the rotation." in desktop.live_texts()
    assert desktop.state() == laptop.state()
    assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0
    assert desktop.state() == laptop.state()
