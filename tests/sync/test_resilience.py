"""Sync survives the server dying mid-push, a client killed mid-pull, and runs in the background with backoff."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.paths import DataPaths
from app.sync.background import start_background_sync
from app.sync.errors import SyncUnavailableError
from app.sync.runner import RunnerSettings, SyncState, SyncStatus
from app.sync.service import overview
from tests.live_server import ROOT, LiveServer
from tests.sync.devices import FAST_RETRY, converge, pair

# Dies the way a killed process does, right after a page was committed and before its cursor was saved.
_KILLED_MID_PULL = """
import os, signal, sys
from app.paths import DataPaths
from app.sync.client import RetryPolicy
from app.sync.store import LocalSyncStore
from app.sync.service import sync_now

original = LocalSyncStore.apply_remote
pages = 0

def apply_then_die(self, records):
    global pages
    result = original(self, records)
    pages += 1
    if pages == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return result

LocalSyncStore.apply_remote = apply_then_die
sync_now(DataPaths(__import__("pathlib").Path(sys.argv[1])), retry=RetryPolicy(attempts=1))
"""


def _server_rows(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM records")).scalar_one()
    engine.dispose()
    return count


def test_client_killed_mid_pull_resumes(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    laptop.rows.insert_many((f"Fact {i} about the user.", None) for i in range(2000))
    laptop.sync()

    child = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_PULL, str(desktop.paths.root)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == -9, child.stderr
    assert len(desktop.memories()) == 1000  # two pages of 500 made it to disk

    report = desktop.sync()
    assert (report.applied, report.skipped) == (1000, 500)  # the page without a saved cursor came again
    assert laptop.state() == desktop.state()
    assert overview(desktop.paths).pending == 0


def test_server_killed_mid_push_then_sync_completes(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    laptop.rows.insert_many((f"Fact {i}: " + "x" * 400, None) for i in range(4000))
    errors: list[BaseException] = []

    def push() -> None:
        try:
            laptop.sync()
        except SyncUnavailableError as error:
            errors.append(error)

    thread = threading.Thread(target=push)
    thread.start()
    deadline = time.monotonic() + 60
    while _server_rows(live_server.database_url) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    live_server.kill()
    thread.join(120)
    assert errors, "the push finished before the kill; use more records"
    assert 0 < overview(laptop.paths).pending < 4000

    live_server.start()
    converge(laptop, desktop, rounds=1)
    assert len(desktop.memories()) == 4000
    assert laptop.state() == desktop.state()
    assert _server_rows(live_server.database_url) == 4000
    assert overview(laptop.paths).pending == 0


@pytest.mark.parametrize("live_server", ["sqlite"], indirect=True)
def test_background_runner_backs_off_while_offline_and_recovers(
    live_server: LiveServer, tmp_path: Path
) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    laptop.rows.insert("Written while the server is down.", "fact")
    live_server.kill()
    states: list[SyncState] = []
    assert start_background_sync(DataPaths(tmp_path / "not-set-up"), states.append) is None
    background = start_background_sync(
        laptop.paths,
        states.append,
        RunnerSettings(interval_seconds=30, max_backoff_seconds=60, local_check_seconds=0.1),
        retry=FAST_RETRY,
    )
    assert background is not None
    try:
        _wait_for(lambda: background.state.consecutive_failures >= 1)
        background.sync_soon()  # retried at once on request, instead of after the backoff
        _wait_for(lambda: background.state.consecutive_failures >= 2)
        assert background.state.status is SyncStatus.OFFLINE
        assert background.state.last_error_code == "sync_unavailable"
        live_server.start()
        background.sync_soon()
        _wait_for(
            lambda: background.state.status is SyncStatus.IDLE and background.state.last_sync_at is not None
        )
        assert background.state.pending == 0 and background.state.consecutive_failures == 0
        before = background.state.last_report
        laptop.rows.insert("Sent without waiting for the interval.", "fact")  # long before the 30 s interval
        _wait_for(
            lambda: background.state.last_report is not before and background.state.status is SyncStatus.IDLE
        )
        assert background.state.last_report is not None and background.state.last_report.pushed == 1
    finally:
        assert background.stop(timeout=20)
    assert states[-1].status is SyncStatus.STOPPED
    desktop.sync()
    assert desktop.live_texts() == {
        "Written while the server is down.",
        "Sent without waiting for the interval.",
    }


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)
