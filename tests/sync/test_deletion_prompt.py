"""Issue 14, failure 6: the prompt for a mass deletion comes before the first deletion, not after 1,000."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.live_server import LiveServer
from tests.sync.conftest import cli
from tests.sync.devices import pair


@pytest.mark.slow
def test_forget_everything_elsewhere_deletes_nothing_before_asking(
    live_server: LiveServer, tmp_path: Path
) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    # Enough that a quarter of them (the allowance) is more than one pull page of 500.
    ids = laptop.rows.insert_many((f"Fact {i} about the user.", None) for i in range(2400))
    assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0
    assert cli("sync", "now", data_dir=desktop.paths.root).returncode == 0
    for memory_id in ids:
        laptop.rows.tombstone(memory_id)
    assert cli("sync", "now", data_dir=laptop.paths.root).returncode == 0

    asked = cli("sync", "now", data_dir=desktop.paths.root)
    assert asked.returncode == 1 and "Traceback" not in asked.stderr
    assert "deletions of 2400 of the 2400 memories" in asked.stderr and "--allow-deletions" in asked.stderr
    assert len(desktop.live_texts()) == 2400  # not one deleted before the question
    status = json.loads(cli("sync", "status", "--json", data_dir=desktop.paths.root).stdout)
    assert status["last_error_code"] == "sync_confirm_deletions"

    assert cli("sync", "now", "--allow-deletions", data_dir=desktop.paths.root).returncode == 0
    assert desktop.live_texts() == set()
    assert laptop.state() == desktop.state()
