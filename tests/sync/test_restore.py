"""Issue 14, failure 1: a server restored from a backup must not leave any device silently stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import ROOT, LiveServer
from tests.sync.conftest import cli
from tests.sync.devices import Device, pair


def server_command(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m server ARGS` as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _sync(device: Device) -> str:
    result = cli("sync", "now", data_dir=device.paths.root)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_restore_from_backup_resynchronises_every_device(live_server: LiveServer, tmp_path: Path) -> None:
    x, y = pair(live_server.url, tmp_path)
    ids = x.rows.insert_many((f"Memory M{i} about the user.", None) for i in range(10))
    _sync(x)
    _sync(y)
    backup_file = tmp_path / "backups" / "sync.backup"
    backup_file.parent.mkdir()
    made = server_command("backup", str(backup_file), "--database-url", live_server.database_url)
    assert made.returncode == 0, made.stderr
    assert backup_file.stat().st_mode & 0o777 == 0o600
    if live_server.database_url.startswith("sqlite"):
        assert Path(live_server.database_url.removeprefix("sqlite:///")).stat().st_mode & 0o777 == 0o600

    y.rows.insert_many((f"Memory Y{i} added after the backup.", None) for i in range(20))
    _sync(y)
    _sync(y)
    _sync(x)
    live_server.stop()
    restored = server_command("restore", str(backup_file), "--database-url", live_server.database_url)
    assert restored.returncode == 0, restored.stderr
    live_server.start()

    x.rows.tombstone(ids[0])
    x.rows.update(ids[1], text="Memory M1, corrected after the restore.")
    assert "restored from a backup" in _sync(x)
    assert "restored from a backup" in _sync(y)
    _sync(y)
    _sync(x)

    assert len(x.live_texts()) == len(y.live_texts()) == 29
    assert x.state() == y.state()
    assert "Memory M1, corrected after the restore." in y.live_texts()
    assert y.memories()[ids[0]].deleted_at is not None
    for device in (x, y):
        status = cli("sync", "status", "--json", data_dir=device.paths.root)
        assert '"pending": 0' in status.stdout and '"last_error_code": null' in status.stdout


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    result = server_command("restore", str(junk), "--database-url", f"sqlite:///{tmp_path / 'sync.db'}")
    assert result.returncode == 1
    assert result.stderr.startswith("aris-sync: ") and "Traceback" not in result.stderr
    missing = server_command(
        "backup", str(tmp_path / "b"), "--database-url", f"sqlite:///{tmp_path / 'none.db'}"
    )
    assert missing.returncode == 1 and "no database" in missing.stderr
