"""Fixtures of the sync suite: the real server per backend, and the documented file fallback for secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import ROOT, live_server

__all__ = ["live_server"]


@pytest.fixture(autouse=True)
def _file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Headless test machines have no OS keyring: use the explicit, documented opt-in file store."""
    monkeypatch.setenv("ARIS_SYNC_INSECURE_FILE_SECRETS", "1")


def cli(*args: str, data_dir: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """`python main.py ARGS` for the device whose data folder is `data_dir` (secrets in the opt-in file)."""
    env = {**os.environ, "ARIS_DATA_DIR": str(data_dir), "ARIS_SYNC_INSECURE_FILE_SECRETS": "1", **extra_env}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=ROOT,
        check=False,
    )
