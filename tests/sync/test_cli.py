"""`python main.py sync …` and `serve-sync` as a user runs them: clear sentences, exit status 1, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.live_server import LiveServer

PASSWORDS = {"ARIS_SYNC_PASSWORD": "account password 1", "ARIS_SYNC_PASSPHRASE": "sync passphrase words"}


def _cli(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return run_cli(*args, data_dir=data_dir, timeout=120)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _failed_cleanly(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("aris: ")]
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0], result.stderr


@pytest.fixture
def server(tmp_path: Path) -> LiveServer:
    """`python main.py serve-sync` on a SQLite file: the one-command server."""
    workdir = tmp_path / "server"
    workdir.mkdir()
    live = LiveServer(
        f"sqlite:///{workdir / 'sync.db'}", workdir, command=(str(ROOT / "main.py"), "serve-sync")
    ).start()
    yield live
    live.stop()


def test_setup_now_status_logout(server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    username = "user-" + uuid.uuid4().hex[:8]
    off = _cli("sync", "status", data_dir=laptop)
    assert off.returncode == 0 and "Sync is off" in off.stdout

    setup = ["sync", "setup", "--server", server.url, "--username", username, "--insecure-file-secrets"]
    made = _cli(*setup, "--register", "--device-name", "laptop", data_dir=laptop, **PASSWORDS)
    assert made.returncode == 0, made.stderr
    assert "Sync is set up" in made.stdout
    assert "account password 1" not in (laptop / "sync.json").read_text()

    wrong_password = _cli(*setup, data_dir=desktop, **{**PASSWORDS, "ARIS_SYNC_PASSWORD": "wrong password!"})
    _failed_cleanly(wrong_password, "Wrong username or password")
    wrong_passphrase = _cli(*setup, data_dir=desktop, **{**PASSWORDS, "ARIS_SYNC_PASSPHRASE": "other words"})
    _failed_cleanly(wrong_passphrase, "passphrase does not unlock")
    assert _cli(*setup, "--device-name", "desktop", data_dir=desktop, **PASSWORDS).returncode == 0

    synced = _cli("sync", "now", data_dir=laptop)
    assert synced.returncode == 0 and synced.stdout.startswith("Synced:"), synced.stderr
    status = json.loads(_cli("sync", "status", "--json", data_dir=laptop).stdout)
    assert status["configured"] and status["pending"] == 0 and status["last_sync_at"]
    assert status["secrets_backend"] == "file" and status["last_error_code"] is None

    devices = json.loads(_cli("sync", "devices", "--json", data_dir=laptop).stdout)
    assert sorted((d["name"], d["current"]) for d in devices) == [("desktop", False), ("laptop", True)]
    desktop_id = next(d["device_id"] for d in devices if d["name"] == "desktop")
    assert _cli("sync", "revoke", desktop_id, data_dir=laptop).returncode == 0
    _failed_cleanly(_cli("sync", "now", data_dir=desktop), "no longer signed in")

    out = _cli("sync", "logout", data_dir=laptop)
    assert out.returncode == 0 and "Signed out" in out.stdout
    _failed_cleanly(_cli("sync", "now", data_dir=laptop), "not set up")


def test_unreachable_server_and_missing_keyring(tmp_path: Path) -> None:
    setup = ["sync", "setup", "--server", "http://127.0.0.1:9", "--username", "someone", "--register"]
    unreachable = _cli(*setup, "--insecure-file-secrets", data_dir=tmp_path / "a", **PASSWORDS)
    _failed_cleanly(unreachable, "Cannot reach the sync server at http://127.0.0.1:9")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ARIS_SYNC_INSECURE_FILE_SECRETS", "DBUS_SESSION_BUS_ADDRESS")
    }
    no_keyring = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--data-dir", str(tmp_path / "b"), *setup],
        env={**env, **PASSWORDS},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    _failed_cleanly(
        no_keyring, "No OS keyring", "--insecure-file-secrets", "ARIS_SYNC_INSECURE_FILE_SECRETS=1"
    )


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs Debian's dbus and gnome-keyring for a real Secret Service keyring",
)
def test_secrets_go_to_a_real_keyring(server: LiveServer, tmp_path: Path) -> None:
    data = tmp_path / "laptop"
    python = f"{sys.executable} {ROOT / 'main.py'} --data-dir {data}"
    script = (
        "printf test-unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 && "
        f"{python} sync setup --server {server.url} --username kr-{uuid.uuid4().hex[:8]} --register && "
        f"{python} sync now && {python} sync status --json"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARIS_SYNC_INSECURE_FILE_SECRETS"}
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script],
        env={**env, **PASSWORDS},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    status = json.loads(result.stdout.strip().splitlines()[-1])
    assert status["secrets_backend"] == "keyring" and status["last_sync_at"]
    assert not (data / "sync-secrets.json").exists()
    assert "aris_" not in (data / "sync.json").read_text()
