"""The real sync server in a child process (uvicorn on loopback), for the server and sync suites.

The server runs exactly as a user starts it (`python -m server`), so a test can SIGKILL it mid-request and
start it again on the same port and database. Each database backend is a fixture parameter: SQLite always,
PostgreSQL when `ARIS_TEST_POSTGRES_URL` names a database whose role may create databases (`.ci/run` sets it).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ENV = "ARIS_TEST_POSTGRES_URL"
START_TIMEOUT_S = 60.0


@dataclass
class LiveServer:
    """One `python -m server` process; `kill()` and `start()` again keep the port and the database."""

    database_url: str
    workdir: Path
    extra_args: list[str] = field(default_factory=list)
    port: int = 0
    command: tuple[str, ...] = ("-m", "server")
    """How the server is started: `python -m server`, or ("main.py", "serve-sync")."""
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        """Base URL of the API (https when started with a certificate)."""
        scheme = "https" if "--ssl-certfile" in self.extra_args else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """The current process's JSON log (stderr)."""
        return self.workdir / f"server-{self.starts}.log"

    def start(self) -> LiveServer:
        """Start and wait until it listens (the port is chosen on the first start and reused after)."""
        self.starts += 1
        if not self.port:
            self.port = free_port_below_ephemeral()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ARIS_SYNC_LOG_LEVEL": "INFO"}
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    *self.command,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--database-url",
                    self.database_url,
                    *self.extra_args,
                ],
                cwd=self.workdir,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        self.port = self._wait_for_port()
        self._wait_healthy()
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as in a power cut of the process."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Graceful stop (SIGTERM)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_lines(self) -> list[dict]:
        """The current process's log records."""
        lines = []
        for raw in self.log_path.read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                lines.append({"message": raw})
        return lines

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            for record in self.log_lines():
                if record.get("event") == "listening":
                    return int(record["port"])
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"sync server exited at start:\n{self.log_path.read_text()}")
            time.sleep(0.05)
        raise RuntimeError(f"sync server did not start:\n{self.log_path.read_text()}")

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                # Readiness only; tests check the certificate themselves.
                if httpx.get(self.url + "/health", timeout=2, verify=False).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"sync server not healthy:\n{self.log_path.read_text()}")


def free_port_below_ephemeral() -> int:
    """A free loopback port below Linux's ephemeral range (32768-60999).

    A server that is killed and started again must get its port back. Had the kernel chosen it (port 0), the
    port would come from the ephemeral range, where any other process's outgoing or port-0 socket (another
    test process's server, a client connection) may take it while the server is down."""
    for _ in range(200):
        port = random.randrange(20_000, 32_000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port between 20000 and 32000")


def fresh_postgres_database(admin_url: str) -> tuple[str, str]:
    """Create an empty database next to `admin_url`'s; returns (SQLAlchemy URL, database name)."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(admin_url)
    name = "aris_sync_test_" + uuid.uuid4().hex[:10]
    with psycopg.connect(_libpq(admin_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return base.set(drivername="postgresql+psycopg", database=name).render_as_string(False), name


def drop_postgres_database(admin_url: str, name: str) -> None:
    """Drop a database made by `fresh_postgres_database`."""
    import psycopg

    with psycopg.connect(_libpq(admin_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(False)


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[str]:
    """An empty server database: a SQLite file, or (with ARIS_TEST_POSTGRES_URL) a new PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'sync-server.db'}"
        return
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"{POSTGRES_ENV} is not set (.ci/run sets it up)")
    url, name = fresh_postgres_database(admin_url)
    try:
        yield url
    finally:
        drop_postgres_database(admin_url, name)


@contextmanager
def running_server(backend: str, folder: Path) -> Iterator[LiveServer]:
    """A server on an empty database, stopped (and its PostgreSQL database dropped) afterwards."""
    with empty_database(backend, folder) as url:
        workdir = folder / "server"
        workdir.mkdir(exist_ok=True)
        server = LiveServer(url, workdir).start()
        try:
            yield server
        finally:
            server.stop()


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """A server of its own for tests that kill or restart it."""
    with running_server(request.param, tmp_path) as server:
        yield server


@pytest.fixture(scope="module", params=BACKENDS)
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One server per module and backend; tests keep apart by using accounts of their own."""
    with running_server(request.param, tmp_path_factory.mktemp("shared-server")) as server:
        yield server
