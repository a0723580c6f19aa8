"""Issue 14, failure 4: a full disk on the server is reported as such (507, /health, the client's message),
not as an outage or an internal error, and nothing is lost once space is freed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import LiveServer
from tests.sync.conftest import cli
from tests.sync.devices import pair


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 12 MiB file system of its own (tmpfs), so filling it touches nothing else."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
                os.fsync(out.fileno())
        except OSError:
            pass
    return filler


def test_full_disk_is_reported_and_recovered_from(small_disk: Path, tmp_path: Path) -> None:
    workdir = small_disk / "server"
    workdir.mkdir()
    server = LiveServer(f"sqlite:///{small_disk / 'sync.db'}", workdir).start()
    try:
        laptop, desktop = pair(server.url, tmp_path)
        assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0
        filler = _fill(small_disk)
        laptop.rows.insert_many(
            (f"Written while the server's disk is full {i}: " + "x" * 2000, None) for i in range(300)
        )

        full = cli("sync", "now", data_dir=laptop.paths.root)
        assert full.returncode == 1
        assert "has run out of disk space" in full.stderr and "Traceback" not in full.stderr
        assert "Cannot reach" not in full.stderr
        health = httpx.get(server.url + "/health", timeout=10)
        assert health.status_code == 503 and health.json()["storage"] == "full"
        status = cli("sync", "status", data_dir=laptop.paths.root)
        assert "run out of disk space" in status.stdout and "300 local change(s)" in status.stdout
        assert "internal_error" not in server.log_path.read_text()

        filler.unlink()
        assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0
        assert httpx.get(server.url + "/health", timeout=10).json() == {
            "status": "ok",
            "database": "ok",
            "storage": "ok",
        }
        assert cli("sync", "now", data_dir=desktop.paths.root).returncode == 0
        assert laptop.state() == desktop.state() and len(desktop.live_texts()) == 300
    finally:
        server.stop()
