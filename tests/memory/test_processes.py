"""Several Aris processes on one store: the CLI while the app runs. Duplicate checks read SQLite, every read
catches up, and ids are compared literally."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from app.memory.errors import MemoryNotFoundError
from app.memory.service import MemoryService
from app.storage.database import _BUSY_TIMEOUT_MS
from app.storage.sqlite import sqlite3
from tests.conftest import run_cli
from tests.memory.holder import Holder


def test_two_processes_adding_one_fact_store_it_once(holder: Holder, tmp_path: Path) -> None:
    fact = "The bike lock code is 2290"
    first = holder.ask(f"add {fact}")
    assert first is not None
    second = run_cli("memory", "add", fact, data_dir=tmp_path / "data")
    assert second.returncode == 0, second.stderr
    assert "Already remembered" in second.stdout
    listed = json.loads(run_cli("memory", "list", "--json", data_dir=tmp_path / "data").stdout)
    assert [m["text"] for m in listed] == ["The bike lock code is 2290."]
    assert holder.ask(f"add {fact}") is None  # and the other way round
    assert holder.ask("ids") == [first]
    holder.close()


def test_the_running_apps_search_sees_a_cli_add(holder: Holder, tmp_path: Path) -> None:
    holder.ask("add My dentist is Doctor Okonkwo")
    added = run_cli("memory", "add", "My favourite mountain is Kilimanjaro", data_dir=tmp_path / "data")
    assert added.returncode == 0, added.stderr
    found = holder.ask("search which summit do I like best")  # no shared word: only the index finds it
    assert found and "Kilimanjaro" in found[0]
    holder.close()


def test_ids_are_compared_literally(memory: MemoryService) -> None:
    stored = memory.add("My boat is named Zanzibar").stored
    assert stored is not None
    for pattern in ("____", "%", stored.id[:3] + "%", "%" + stored.id[9:20], "_" + stored.id[1:8]):
        with pytest.raises(MemoryNotFoundError):
            memory.forget(pattern)
        with pytest.raises(MemoryNotFoundError):
            memory.pin(pattern)
        with pytest.raises(MemoryNotFoundError):
            memory.edit(pattern, "My boat is named Nautilus")
    assert memory.get(stored.id[:4]).id == stored.id
    assert memory.get(stored.id.upper()[:8] if stored.id[:8].isdigit() else stored.id[:8]).id == stored.id
    with pytest.raises(MemoryNotFoundError, match="at least 4"):
        memory.get(stored.id[:3])


def test_an_ambiguous_prefix_lists_the_candidates(memory: MemoryService) -> None:
    one = memory.rows.insert(
        "The user likes tea.", "preference", memory_id="abcd1111-0000-4000-8000-000000000001"
    )
    two = memory.rows.insert(
        "The user likes jazz.", "preference", memory_id="abcd2222-0000-4000-8000-000000000002"
    )
    with pytest.raises(MemoryNotFoundError) as error:
        memory.forget("abcd")
    assert one.id in error.value.message and two.id in error.value.message
    assert len(memory.memories()) == 2  # nothing forgotten
    assert memory.pin("abcd2").id == two.id


def test_a_near_duplicate_is_caught_whoever_holds_the_index(holder: Holder, tmp_path: Path) -> None:
    """The CLI has no vector index while the app runs; its duplicate check must still see the first copy."""
    assert holder.ask("add The gate code for the garage is 9083") is not None
    again = run_cli("memory", "add", "The gate code for the garage is 9083!", data_dir=tmp_path / "data")
    assert again.returncode == 0, again.stderr
    listed = json.loads(run_cli("memory", "list", "--json", data_dir=tmp_path / "data").stdout)
    assert [m["text"] for m in listed] == ["The gate code for the garage is 9083."]
    holder.close()


def test_a_write_waits_for_another_process_longer_than_the_busy_timeout(memory: MemoryService) -> None:
    """Another connection (another process, as far as SQLite knows) holds the write lock past the 5 s busy
    timeout; the add waits for its turn and succeeds instead of failing."""
    other = sqlite3.connect(str(memory.paths.database), timeout=1, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(_BUSY_TIMEOUT_MS / 1000 + 1.5, other.commit)
    release.start()
    try:
        decision = memory.add("My locker at the pool is number 41")
    finally:
        release.join()
        other.close()
    assert decision.stored is not None
    assert [m.text for m in memory.memories()] == ["The user's locker at the pool is number 41."]
