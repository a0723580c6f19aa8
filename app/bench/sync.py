"""`python main.py bench sync`: first sync of N memories between two devices, and how long one edit takes to
reach the other device.

Everything is real: the server runs as `python -m server` in a child process on loopback with a SQLite file,
and each device has its own data folder, database and file-kept secrets, all in a temporary folder.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from app.paths import DataPaths
from app.storage.database import node_clock, open_database
from app.storage.memory_rows import MemoryRows
from app.sync.background import start_background_sync
from app.sync.errors import SyncError
from app.sync.runner import RunnerSettings
from app.sync.service import SetupRequest, setup, sync_now

_PASSWORD = "benchmark password"
_PASSPHRASE = "benchmark passphrase"
LIVE_EDITS = 20


@dataclass(frozen=True)
class SyncBenchResult:
    """Seconds (and counts) measured by one benchmark run."""

    memories: int
    setup_s: float
    """Both devices: sign-in plus Argon2id key derivation at the default cost."""
    first_push_s: float
    """The first device uploads every memory (encrypt, push in batches)."""
    first_pull_s: float
    """The second device downloads and applies every memory (pull pages, decrypt, write)."""
    edit_to_other_device_ms: float
    """Median time from an edit on one device until the other device holds it (one round on each)."""
    edit_samples_ms: tuple[float, ...]
    live_update_ms: float
    """Median time from an edit in one running app (background sync) until the other running app holds it,
    carried by the server's change notification (polling is set to a minute, so it cannot help)."""
    live_update_samples_ms: tuple[float, ...]


def run_sync_bench(count: int = 10_000, edits: int = 5, *, as_json: bool = False) -> SyncBenchResult:
    """Run the benchmark and print its figures."""
    with tempfile.TemporaryDirectory(prefix="aris-sync-bench-") as folder:
        root = Path(folder)
        server, url = _start_server(root)
        try:
            result = _measure(root, url, count, edits)
        finally:
            server.terminate()
            server.wait(15)
    if as_json:
        print(json.dumps(asdict(result)))
    else:
        print(f"Sync benchmark, {result.memories} memories, server on loopback (SQLite):")
        print(f"  set up two devices          {result.setup_s:8.2f} s")
        print(f"  first sync, upload          {result.first_push_s:8.2f} s")
        print(f"  first sync, download        {result.first_pull_s:8.2f} s")
        print(f"  first sync, total           {result.first_push_s + result.first_pull_s:8.2f} s")
        print(f"  one edit to other device    {result.edit_to_other_device_ms:8.0f} ms (median of {edits})")
        print(
            f"  live update, running apps   {result.live_update_ms:8.0f} ms "
            f"(median of {len(result.live_update_samples_ms)})"
        )
    return result


def _measure(root: Path, url: str, count: int, edits: int) -> SyncBenchResult:
    laptop, desktop = DataPaths(root / "laptop").ensure(), DataPaths(root / "desktop").ensure()
    rows = _rows(laptop)
    rows.insert_many(
        (f"Benchmark fact number {i}: the user mentioned item {i * 7919 % 10007}.", None)
        for i in range(count)
    )
    username = "bench-" + uuid.uuid4().hex[:8]
    started = time.perf_counter()
    for paths, register in ((laptop, True), (desktop, False)):
        setup(
            paths,
            SetupRequest(
                url,
                username,
                _PASSWORD,
                _PASSPHRASE,
                paths.root.name,
                register=register,
                insecure_file_secrets=True,
            ),
        )
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    sync_now(laptop)
    first_push_s = time.perf_counter() - started
    started = time.perf_counter()
    report = sync_now(desktop)
    first_pull_s = time.perf_counter() - started
    if report.applied != count:
        raise SyncError(f"The benchmark's second device received {report.applied} of {count} memories.")

    other = _rows(desktop)
    memory_id = rows.list(limit=1)[0].id
    samples = []
    for i in range(edits):
        text = f"Edited text {i} for the latency benchmark."
        started = time.perf_counter()
        rows.update(memory_id, text=text)
        sync_now(laptop)
        sync_now(desktop)
        samples.append((time.perf_counter() - started) * 1000)
        arrived = other.get(memory_id)
        if arrived is None or arrived.text != text:
            raise SyncError("The edit did not reach the second device.")
    live_samples = _measure_live(laptop, desktop, rows, other, memory_id, edits=LIVE_EDITS)
    return SyncBenchResult(
        memories=count,
        setup_s=round(setup_s, 3),
        first_push_s=round(first_push_s, 3),
        first_pull_s=round(first_pull_s, 3),
        edit_to_other_device_ms=round(statistics.median(samples), 1),
        edit_samples_ms=tuple(round(s, 1) for s in samples),
        live_update_ms=round(statistics.median(live_samples), 1),
        live_update_samples_ms=tuple(round(s, 1) for s in live_samples),
    )


def _measure_live(
    laptop: DataPaths, desktop: DataPaths, rows: MemoryRows, other: MemoryRows, memory_id: str, *, edits: int
) -> list[float]:
    """Both devices run background sync as the app does; each edit's time until the other device holds it."""
    settings = RunnerSettings(interval_seconds=60, local_check_seconds=0)
    running = [start_background_sync(p, lambda _state: None, settings) for p in (laptop, desktop)]
    try:
        writer, reader = running
        if writer is None or reader is None:
            raise SyncError("Background sync did not start for the benchmark's devices.")
        _wait(lambda: all(r.live is not None and r.live.connected for r in (writer, reader)), 30)
        samples = []
        for i in range(edits):
            text = f"Live edit {i} for the latency benchmark."
            started = time.perf_counter()
            rows.update(memory_id, text=text)
            writer.sync_soon()  # what the shell does after a local edit
            _wait(partial(_has_text, other, memory_id, text), 30)
            samples.append((time.perf_counter() - started) * 1000)
        return samples
    finally:
        for background in running:
            if background is not None:
                background.stop()


def _has_text(rows: MemoryRows, memory_id: str, text: str) -> bool:
    memory = rows.get(memory_id)
    return memory is not None and memory.text == text


def _wait(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SyncError("The benchmark's live update did not arrive in time.")
        time.sleep(0.005)


def _rows(paths: DataPaths) -> MemoryRows:
    db = open_database(paths.database)
    return MemoryRows(db, node_clock(db))


def _start_server(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m server` on a free loopback port; returns the process and its URL."""
    import server

    source_root = Path(server.__path__[0]).parent
    log_path = root / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server",
                "--port",
                "0",
                "--database-url",
                f"sqlite:///{root / 'server.db'}",
            ],
            cwd=source_root,
            env={**os.environ, "ARIS_SYNC_LOG_LEVEL": "INFO"},  # the port is announced at INFO
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            if '"listening"' in line:
                return process, f"http://127.0.0.1:{json.loads(line)['port']}"
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise SyncError(f"The benchmark's sync server did not start: {log_path.read_text()[-500:]}")
