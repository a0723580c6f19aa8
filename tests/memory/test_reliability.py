"""The index is derived data: deleted, corrupted or out-of-date Chroma folders are repaired from SQLite at
start-up; a process killed with SIGKILL mid-writes loses no memory whose write had returned."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app.memory.embeddings import MiniLMEmbedder
from app.memory.service import MemoryService
from app.storage.database import open_database
from app.storage.migrations import LIVE_MEMORY
from tests.conftest import ROOT
from tests.memory.conftest import index_ids, reopen


def _fill(memory: MemoryService) -> None:
    for text in (
        "My sister's name is Alice.",
        "I live in Lisbon.",
        "I am allergic to peanuts.",
        "I love sushi.",
    ):
        memory.add(text)


def test_deleted_index_folder_is_rebuilt_at_start(memory: MemoryService, embedder: MiniLMEmbedder) -> None:
    _fill(memory)
    memory.close()
    shutil.rmtree(memory.paths.chroma_dir)
    again = MemoryService.open(memory.paths, embedder=embedder)
    try:
        assert again.startup is not None and again.startup.added == 4
        assert again.index.count() == 4
        assert again.recall("What is my sister's name?") == ["The user's sister's name is Alice."]
    finally:
        again.close()


def test_corrupted_index_folder_is_rebuilt_at_start(memory: MemoryService, embedder: MiniLMEmbedder) -> None:
    _fill(memory)
    memory.close()
    for path in memory.paths.chroma_dir.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x00garbage\xff" * 512)
    again = MemoryService.open(memory.paths, embedder=embedder)
    try:
        assert again.startup is not None and again.startup.mode == "rebuilt"
        assert again.index.count() == 4
        assert again.recall("What am I allergic to?") == ["The user is allergic to peanuts."]
    finally:
        again.close()


def test_index_data_files_removed_is_rebuilt(memory: MemoryService, embedder: MiniLMEmbedder) -> None:
    """Chroma's own database kept, its vector segment folders gone: recall still works after the start."""
    _fill(memory)
    memory.close()
    for path in memory.paths.chroma_dir.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
    again = MemoryService.open(memory.paths, embedder=embedder)
    try:
        assert again.recall("What is my sister's name?") == ["The user's sister's name is Alice."]
        assert again.index.count() == 4
    finally:
        again.close()


def test_missing_extra_and_stale_entries_are_repaired(
    memory: MemoryService, embedder: MiniLMEmbedder
) -> None:
    _fill(memory)
    alice = next(m for m in memory.list() if "Alice" in m.text)
    sushi = next(m for m in memory.list() if "sushi" in m.text)
    memory.index.delete([alice.id])  # missing
    memory.index.upsert([("not-a-memory", "The user owns a spaceship.")])  # extra
    # stale: the database changed behind the index's back (as after a crash between the two writes)
    memory.rows.update(sushi.id, text="The user loves ramen.")
    again = reopen(memory, embedder)
    try:
        assert again.startup is not None and again.startup.mode in {"replay", "scan"}
        assert index_ids(again) == {m.id for m in again.list()}
        assert again.recall("What is my sister's name?") == ["The user's sister's name is Alice."]
        assert again.recall("Which noodle soup do I love?")[0] == "The user loves ramen."
    finally:
        again.close()


def test_start_up_check_is_cheap_when_nothing_changed(
    memory: MemoryService, embedder: MiniLMEmbedder
) -> None:
    _fill(memory)
    again = reopen(memory, embedder)
    try:
        assert again.startup is not None and again.startup.mode == "current"
        assert (again.startup.added, again.startup.removed) == (0, 0)
    finally:
        again.close()


_WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from app.memory.service import MemoryService
from app.paths import DataPaths

service = MemoryService.open(DataPaths(Path(sys.argv[1])))
print("ready", flush=True)
i = 0
while True:
    service.add(f"The user's locker number {i} is at gate {i * 7}.")
    print(f"stored {i}", flush=True)
    i += 1
"""


def test_sigkill_mid_writes_loses_no_returned_write(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    data = tmp_path / "killed"
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(data), str(ROOT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "ORT_DISABLE_TELEMETRY": "1", "ANONYMIZED_TELEMETRY": "False"},
    )
    acknowledged: list[int] = []
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 120
        for line in child.stdout:
            if line.startswith("stored"):
                acknowledged.append(int(line.split()[1]))
            if len(acknowledged) >= 25 or time.monotonic() > deadline:
                break
        os.kill(child.pid, signal.SIGKILL)  # in the middle of the next write
    finally:
        child.kill()
        child.wait(timeout=30)
    assert len(acknowledged) >= 25

    conn = sqlite3.connect(data / "aris.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    db = open_database(data / "aris.db")
    texts = {row[0] for row in db.execute(f"SELECT text FROM memories WHERE {LIVE_MEMORY}")}
    db.conn.close()
    for i in acknowledged:
        assert f"The user's locker number {i} is at gate {i * 7}." in texts

    from app.paths import DataPaths

    service = MemoryService.open(DataPaths(data), embedder=embedder)
    try:
        assert service.index.count() == service.rows.live_count() >= len(acknowledged)
        assert service.recall("Where is locker number 3?")[0].startswith("The user's locker number 3 ")
    finally:
        service.close()
