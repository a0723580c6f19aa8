"""Wrong password or passphrase, a revoked device, tampered ciphertext, another account's ids, and what the
server's database holds: each gets the right error and changes nothing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from app.paths import DataPaths
from app.sync.account import load_account
from app.sync.client import SyncClient
from app.sync.errors import (
    SyncNotConfiguredError,
    SyncPassphraseError,
    SyncProtocolError,
    SyncTokenRevokedError,
    SyncUnavailableError,
    SyncWrongPasswordError,
)
from app.sync.secrets import FileSecretStore
from app.sync.service import change_passphrase, overview
from tests.live_server import LiveServer
from tests.sync.devices import PASSPHRASE, TEST_KDF, Device, converge, pair


def _token(device: Device) -> str:
    secrets = FileSecretStore(device.paths).load()
    assert secrets is not None
    return secrets.token


def _username(device: Device) -> str:
    return load_account(device.paths).username


def test_wrong_password_and_wrong_passphrase_save_nothing(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, _ = pair(live_server.url, tmp_path)
    stranger = Device("stranger", DataPaths(tmp_path / "stranger"))
    with pytest.raises(SyncWrongPasswordError, match="Wrong username or password"):
        _setup_with_password(stranger, live_server.url, _username(laptop), "not the password")
    with pytest.raises(SyncPassphraseError, match="does not unlock"):
        stranger.setup(live_server.url, _username(laptop), passphrase="a different passphrase")
    with pytest.raises(SyncNotConfiguredError):
        load_account(stranger.paths)
    assert FileSecretStore(stranger.paths).load() is None
    # The session opened before the passphrase check was revoked again: only the two real devices remain.
    with SyncClient(live_server.url, _token(laptop)) as client:
        assert sorted(d.name for d in client.list_devices()) == ["desktop", "laptop"]


def _setup_with_password(device: Device, url: str, username: str, password: str) -> None:
    from app.sync.service import SetupRequest, setup
    from tests.sync.devices import FAST_RETRY, PASSPHRASE, TEST_KDF

    setup(
        device.paths,
        SetupRequest(
            url, username, password, PASSPHRASE, device.name, insecure_file_secrets=True, kdf=TEST_KDF
        ),
        retry=FAST_RETRY,
    )


def test_setting_up_again_signs_the_old_session_out(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    old_token = _token(desktop)
    desktop.setup(live_server.url, _username(laptop))
    with SyncClient(live_server.url, _token(laptop)) as client:
        assert sorted(d.name for d in client.list_devices()) == ["desktop", "laptop"]
    with SyncClient(live_server.url, old_token) as client, pytest.raises(SyncTokenRevokedError):
        client.pull(None)
    desktop.sync()


def test_passphrase_change_rewraps_the_key_and_keeps_data(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    laptop.rows.insert("Written before the change.", "fact")
    converge(laptop, desktop)
    with pytest.raises(SyncPassphraseError):
        change_passphrase(laptop.paths, "not the passphrase", "new words here", kdf=TEST_KDF)
    change_passphrase(laptop.paths, PASSPHRASE, "new words here", kdf=TEST_KDF)
    desktop.rows.insert("Written after the change.", "fact")
    converge(laptop, desktop)  # devices already set up keep their key
    tablet = Device("tablet", DataPaths(tmp_path / "tablet"))
    with pytest.raises(SyncPassphraseError):
        tablet.setup(live_server.url, _username(laptop))
    tablet.setup(live_server.url, _username(laptop), passphrase="new words here")
    tablet.sync()
    assert tablet.live_texts() == {"Written before the change.", "Written after the change."}


def test_unreachable_server_is_said_plainly(tmp_path: Path) -> None:
    device = Device("laptop", DataPaths(tmp_path / "laptop"))
    with pytest.raises(SyncUnavailableError, match=r"Cannot reach the sync server at http://127.0.0.1:9"):
        device.setup("http://127.0.0.1:9", "someone", register=True)


def test_revoked_device_is_refused_and_keeps_its_data(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    laptop.rows.insert("The user's sister is Alice.", "fact")
    converge(laptop, desktop)
    with SyncClient(live_server.url, _token(laptop)) as client:
        client.revoke_device(load_account(desktop.paths).device_id)
    desktop.rows.insert("Written after being signed out.", "fact")
    before = desktop.state()
    with pytest.raises(SyncTokenRevokedError, match="no longer signed in"):
        desktop.sync()
    assert desktop.state() == before
    status = overview(desktop.paths)
    assert status.last_error_code == "sync_token_revoked" and status.pending == 1
    laptop.sync()
    assert "Written after being signed out." not in laptop.live_texts()


def test_tampered_ciphertext_is_rejected_reported_and_overwrites_nothing(
    live_server: LiveServer, tmp_path: Path
) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    memory = laptop.rows.insert("The user's PIN hint is the dog's birthday.", "fact")
    moved = laptop.rows.insert("The user likes jazz.", "preference")
    converge(laptop, desktop)
    laptop.rows.update(memory.id, text="The user's PIN hint changed.")
    laptop.rows.update(moved.id, text="The user likes blues.")
    laptop.sync()

    engine = create_engine(live_server.database_url)
    with engine.begin() as connection:
        blob = connection.execute(
            text("SELECT ciphertext FROM records WHERE record_id = :id"), {"id": memory.id}
        ).scalar_one()
        flipped = bytes([*blob[:-1], blob[-1] ^ 0x01])
        connection.execute(
            text("UPDATE records SET ciphertext = :c WHERE record_id = :id"), {"c": flipped, "id": memory.id}
        )
        # A valid ciphertext moved onto another record id fails too: the id is authenticated.
        connection.execute(
            text("UPDATE records SET ciphertext = :c WHERE record_id = :id"), {"c": blob, "id": moved.id}
        )
    engine.dispose()

    report = desktop.sync()
    assert sorted(report.tampered) == sorted([memory.id, moved.id])
    assert desktop.memories()[memory.id].text == "The user's PIN hint is the dog's birthday."
    assert desktop.memories()[moved.id].text == "The user likes jazz."
    assert overview(desktop.paths).rejected_records == 2


def test_another_accounts_ids_change_nothing(live_server: LiveServer, tmp_path: Path) -> None:
    alice_laptop, alice_desktop = pair(live_server.url, tmp_path / "alice")
    mallory, _ = pair(live_server.url, tmp_path / "mallory")
    memory = alice_laptop.rows.insert("Alice's secret.", "fact")
    converge(alice_laptop, alice_desktop)

    # Mallory writes a newer tombstone under Alice's record id, and tries to revoke Alice's device.
    mallory.rows.insert("Mallory's own.", "fact", memory_id=memory.id)
    mallory.rows.tombstone(memory.id)
    mallory.sync()
    with SyncClient(live_server.url, _token(mallory)) as client:
        with pytest.raises(SyncProtocolError, match="No signed-in device") as refused:
            client.revoke_device(load_account(alice_laptop.paths).device_id)
        assert getattr(refused.value, "server_code", None) == "not_found"
        assert [r.id for r in client.pull(None).records] == [memory.id]  # only Mallory's own version

    converge(alice_laptop, alice_desktop)
    assert alice_desktop.memories()[memory.id].text == "Alice's secret."
    assert alice_desktop.memories()[memory.id].deleted_at is None


def test_server_database_holds_no_plaintext(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    secrets = [f"Zanzibar-{uuid.uuid4().hex[:8]} is the user's secret {i}." for i in range(20)]
    for secret in secrets:
        laptop.rows.insert(secret, "fact", slot="secret:" + secret[:16])
    conversation = laptop.log.start_conversation("Quokka conversation title")
    laptop.log.add_message(conversation, "user", "Quokka-message body text")
    converge(laptop, desktop)
    assert set(secrets) <= desktop.live_texts()

    words = [s.split(" ")[0] for s in secrets] + ["Quokka", "secret:", "Zanzibar"]
    dump = _dump(live_server.database_url).lower()
    assert len(dump) > 10_000  # the records really are in there
    assert not [w for w in words if w.lower() in dump]


def _dump(url: str) -> str:
    """Everything the server's database holds, as text (SQLite: the raw files, WAL included)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        files = [Path(str(path) + suffix) for suffix in ("", "-wal")]
        return "".join(f.read_bytes().decode("latin-1") for f in files if f.exists())
    engine = create_engine(url)
    parts = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(" ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row))
    engine.dispose()
    return "\n".join(parts)
