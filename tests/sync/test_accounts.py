"""Issue 14, accounts: password change signs other devices out, account deletion purges the server, and
registration can require an invite code. All through `python main.py sync …` and a real server."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.paths import DataPaths
from app.sync.account import load_account
from tests.live_server import LiveServer
from tests.sync.conftest import cli
from tests.sync.devices import PASSPHRASE, PASSWORD, Device, pair

NEW_PASSWORD = "a brand new account password"


def _one_line_error(result, *phrases: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


@pytest.mark.slow
def test_password_change_signs_every_other_device_out(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    laptop.rows.insert("Written before the password change.", "fact")
    changed = cli(
        "sync",
        "password",
        data_dir=laptop.paths.root,
        ARIS_SYNC_PASSWORD=PASSWORD,
        ARIS_SYNC_NEW_PASSWORD=NEW_PASSWORD,
    )
    assert changed.returncode == 0, changed.stderr
    assert "every other device was signed out" in changed.stdout
    assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0  # this device stays signed in
    _one_line_error(cli("sync", "now", data_dir=desktop.paths.root), "no longer signed in")

    username = load_account(laptop.paths).username
    setup = ["sync", "setup", "--server", live_server.url, "--username", username]
    _one_line_error(
        cli(
            *setup, data_dir=desktop.paths.root, ARIS_SYNC_PASSWORD=PASSWORD, ARIS_SYNC_PASSPHRASE=PASSPHRASE
        ),
        "Wrong username or password",
    )
    again = cli(
        *setup, data_dir=desktop.paths.root, ARIS_SYNC_PASSWORD=NEW_PASSWORD, ARIS_SYNC_PASSPHRASE=PASSPHRASE
    )
    assert again.returncode == 0, again.stderr
    assert cli("sync", "now", data_dir=desktop.paths.root).returncode == 0
    assert "Written before the password change." in desktop.live_texts()
    _one_line_error(
        cli(
            "sync",
            "password",
            data_dir=laptop.paths.root,
            ARIS_SYNC_PASSWORD="not the password",
            ARIS_SYNC_NEW_PASSWORD="x" * 12,
        ),
        "current password is wrong",
    )


@pytest.mark.slow
def test_account_deletion_purges_everything_on_the_server(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    laptop.rows.insert_many((f"Fact {i}.", None) for i in range(30))
    assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0
    username = load_account(laptop.paths).username

    _one_line_error(
        cli("sync", "delete-account", data_dir=laptop.paths.root, ARIS_SYNC_PASSWORD=PASSWORD), "--yes"
    )
    _one_line_error(
        cli(
            "sync",
            "delete-account",
            "--yes",
            data_dir=laptop.paths.root,
            ARIS_SYNC_PASSWORD="wrong password!",
        ),
        "password is wrong",
    )
    deleted = cli("sync", "delete-account", "--yes", data_dir=laptop.paths.root, ARIS_SYNC_PASSWORD=PASSWORD)
    assert deleted.returncode == 0, deleted.stderr

    engine = create_engine(live_server.database_url)
    with engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT count(*) FROM users WHERE username = :u"), {"u": username}
            ).scalar()
            == 0
        )
        for table in ("records", "devices", "push_batches"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    engine.dispose()
    assert "Sync is off" in cli("sync", "status", data_dir=laptop.paths.root).stdout
    assert len(laptop.live_texts()) == 30  # local data stays
    _one_line_error(cli("sync", "now", data_dir=desktop.paths.root), "no longer signed in")


def test_registration_can_require_an_invite_code(tmp_path: Path) -> None:
    workdir = tmp_path / "server"
    workdir.mkdir()
    server = LiveServer(
        f"sqlite:///{workdir / 'sync.db'}", workdir, extra_args=["--invite-code", "tea-and-cake-42"]
    )
    server.start()
    try:
        device = Device("laptop", DataPaths(tmp_path / "laptop"))
        register = [
            "sync",
            "setup",
            "--register",
            "--server",
            server.url,
            "--username",
            "user-" + uuid.uuid4().hex[:8],
        ]
        secrets = {"ARIS_SYNC_PASSWORD": PASSWORD, "ARIS_SYNC_PASSPHRASE": PASSPHRASE}
        _one_line_error(cli(*register, data_dir=device.paths.root, **secrets), "needs an invite code")
        _one_line_error(
            cli(*register, "--invite-code", "wrong", data_dir=device.paths.root, **secrets),
            "needs an invite code",
        )
        joined = cli(
            *register, data_dir=device.paths.root, ARIS_SYNC_INVITE_CODE="tea-and-cake-42", **secrets
        )
        assert joined.returncode == 0, joined.stderr
    finally:
        server.stop()
