"""schemathesis against the live server's own OpenAPI document: no generated request may cause a 500."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import BACKENDS, LiveServer, running_server
from tests.server.api import register


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_server_errors_for_generated_requests(backend: str, tmp_path: Path) -> None:
    with running_server(backend, tmp_path) as server:
        _fuzz(server, tmp_path)


def _fuzz(server: LiveServer, tmp_path: Path) -> None:
    account = register(server.url)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            server.url + "/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "15",
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "1",
            "--seed",
            "5",
            "--no-color",
            "--generation-database",
            "none",
            "--header",
            f"Authorization: Bearer {account.token}",
            "--request-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=500,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "internal_error" not in server.log_path.read_text()
