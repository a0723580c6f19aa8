"""Issue 14, failure 4: a full disk on the server is reported as such (507, /health, the client's message),
not as an outage or an internal error, and nothing is lost once space is freed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.live_server import POSTGRES_ENV, LiveServer
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


@pytest.mark.slow
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


@contextmanager
def _postgres_on_small_disk(tmp_path: Path) -> Iterator[str]:
    """A new PostgreSQL database whose tables live on a 24 MiB tmpfs (a tablespace there), as root only."""
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url or os.geteuid() != 0 or shutil.which("su") is None:
        pytest.skip(f"needs root and {POSTGRES_ENV}")
    folder = Path(tempfile.mkdtemp(prefix="aris-pg-full-", dir="/tmp"))  # postgres must reach it
    folder.chmod(0o755)
    name = "aris_full_" + uuid.uuid4().hex[:8]
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(folder)], check=False
    ).returncode:
        pytest.skip("mounting a small tmpfs failed")
    try:
        shutil.chown(folder, "postgres", "postgres")
        role = make_url(admin_url).username
        _as_postgres(f"CREATE TABLESPACE {name} LOCATION '{folder}'")
        _as_postgres(f"GRANT CREATE ON TABLESPACE {name} TO {role}")
        with psycopg.connect(
            make_url(admin_url).set(drivername="postgresql").render_as_string(False), autocommit=True
        ) as db:
            db.execute(f'CREATE DATABASE "{name}" TABLESPACE {name}')
        try:
            yield (
                make_url(admin_url)
                .set(drivername="postgresql+psycopg", database=name)
                .render_as_string(False)
            )
        finally:
            _as_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _as_postgres(f"DROP TABLESPACE IF EXISTS {name}")
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _as_postgres(sql: str) -> None:
    subprocess.run(
        ["su", "postgres", "-c", f'psql -v ON_ERROR_STOP=1 -q -c "{sql}"'], check=True, capture_output=True
    )


@pytest.mark.slow
def test_full_disk_on_postgresql_is_reported_too(tmp_path: Path) -> None:
    with _postgres_on_small_disk(tmp_path) as url:
        workdir = tmp_path / "server"
        workdir.mkdir()
        server = LiveServer(url, workdir).start()
        try:
            laptop, desktop = pair(server.url, tmp_path)
            assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0
            folder = Path(_tablespace_folder(url))
            filler = _fill(folder)
            laptop.rows.insert_many(
                (f"Written while the disk is full {i}: " + "x" * 2000, None) for i in range(300)
            )
            full = cli("sync", "now", data_dir=laptop.paths.root)
            assert full.returncode == 1 and "has run out of disk space" in full.stderr, full.stderr
            health = httpx.get(server.url + "/health", timeout=10)
            assert health.status_code == 503 and health.json()["storage"] == "full"
            assert "internal_error" not in server.log_path.read_text()
            filler.unlink()
            assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0
            assert httpx.get(server.url + "/health", timeout=10).status_code == 200
            assert cli("sync", "now", data_dir=desktop.paths.root).returncode == 0
            assert laptop.state() == desktop.state() and len(desktop.live_texts()) == 300
        finally:
            server.stop()


def _tablespace_folder(url: str) -> str:
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False)) as db:
        row = db.execute(
            "SELECT pg_tablespace_location(dattablespace) FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return row[0]
