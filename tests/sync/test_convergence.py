"""Two real devices and the real server: edits travel, concurrent and offline edits converge, nothing is lost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.paths import DataPaths
from app.sync.errors import SyncDeletionsNeedConfirmationError, SyncUnavailableError
from app.sync.service import overview
from tests.live_server import LiveServer
from tests.sync.devices import Device, converge, pair


def _later() -> None:
    """Let the wall clock move on: within one millisecond two devices' clocks are ordered by node id only."""
    time.sleep(0.005)


def test_memories_and_conversations_travel_both_ways(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    sister = laptop.rows.insert("The user's sister is Alice.", "person", pinned=True, slot="rel:sister:name")
    conversation = laptop.log.start_conversation("Family")
    laptop.log.add_message(conversation, "user", "My sister is Alice.", {"stt": 0.3})
    laptop.log.add_message(conversation, "assistant", "I'll remember that.")
    tea = desktop.rows.insert("The user prefers green tea.", "preference")

    converge(laptop, desktop)

    assert laptop.state() == desktop.state()
    assert desktop.memories()[sister.id].pinned and desktop.memories()[sister.id].slot == "rel:sister:name"
    assert laptop.memories()[tea.id].text == "The user prefers green tea."
    assert [m.text for m in desktop.log.messages(conversation)] == [
        "My sister is Alice.",
        "I'll remember that.",
    ]
    assert desktop.log.messages(conversation)[0].timings == {"stt": 0.3}
    assert desktop.log.recent_conversations()[0].title == "Family"
    assert desktop.rows.full_text("sister", 5)[0][0] == sister.id  # FTS follows synced rows
    assert overview(laptop.paths).pending == overview(desktop.paths).pending == 0


def test_same_memory_edited_on_both_keeps_both_texts(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    memory = laptop.rows.insert("The user's car is blue.", "fact")
    converge(laptop, desktop)

    laptop.rows.update(memory.id, text="The user's car is red.")
    _later()
    desktop.rows.update(memory.id, text="The user's car is green.")  # later clock: wins the record
    laptop.sync()
    desktop.sync()
    converge(laptop, desktop)

    assert laptop.state() == desktop.state()
    assert laptop.memories()[memory.id].text == "The user's car is green."
    assert laptop.live_texts() == {"The user's car is red.", "The user's car is green."}
    assert len(laptop.memories()) == 2  # one conflict copy, made once


def test_sequential_edits_make_no_conflict_copy(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    memory = laptop.rows.insert("The user works at Acme.", "fact")
    converge(laptop, desktop)
    desktop.rows.update(memory.id, text="The user works at Globex.")
    desktop.sync()
    desktop.rows.update(memory.id, text="The user works at Initech.")
    desktop.sync()
    _later()
    laptop.rows.update(memory.id, pinned=True)  # later, but only the pin: the text edit must survive
    converge(laptop, desktop)
    assert laptop.state() == desktop.state()
    assert laptop.live_texts() == {"The user works at Initech."}
    assert laptop.memories()[memory.id].pinned


def test_delete_against_edit(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    older_edit = laptop.rows.insert("The user's dentist is Dr Lee.", "fact")
    newer_edit = laptop.rows.insert("The user's gym is on Main Street.", "fact")
    converge(laptop, desktop)

    desktop.rows.update(older_edit.id, text="The user's dentist is Dr Kim.")
    _later()
    laptop.rows.tombstone(older_edit.id)  # later: the deletion wins over the older edit
    laptop.rows.tombstone(newer_edit.id)
    _later()
    desktop.rows.update(newer_edit.id, text="The user's gym is on Elm Street.")  # later: the edit wins
    desktop.sync()
    converge(laptop, desktop)

    assert laptop.state() == desktop.state()
    assert laptop.memories()[older_edit.id].deleted_at is not None
    assert laptop.memories()[older_edit.id].text == ""
    assert desktop.memories()[newer_edit.id].deleted_at is None
    assert desktop.live_texts() == {"The user's gym is on Elm Street."}


def test_deleting_most_memories_elsewhere_waits_for_a_yes(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    ids = laptop.rows.insert_many((f"Fact {i}.", None) for i in range(100))
    converge(laptop, desktop)
    for memory_id in ids[:10]:  # a few deletions go through without asking
        laptop.rows.tombstone(memory_id)
    converge(laptop, desktop)
    assert len(desktop.live_texts()) == 90

    for memory_id in ids[10:80]:
        laptop.rows.tombstone(memory_id)
    laptop.sync()
    with pytest.raises(SyncDeletionsNeedConfirmationError, match="deletions of 70 of the 90") as asked:
        desktop.sync()
    assert "--allow-deletions" in asked.value.message
    assert len(desktop.live_texts()) == 90
    assert overview(desktop.paths).last_error_code == "sync_confirm_deletions"
    with pytest.raises(SyncDeletionsNeedConfirmationError):
        desktop.sync()  # asked again until answered
    desktop.sync(allow_deletions=True)
    assert len(desktop.live_texts()) == 20
    assert laptop.state() == desktop.state()


def test_offline_edits_on_both_while_the_server_is_down(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    shared = laptop.rows.insert("The user's cat is called Tom.", "fact")
    converge(laptop, desktop)
    live_server.kill()

    added_offline = {laptop.rows.insert(f"Laptop fact {i}.", "fact").id for i in range(20)}
    added_offline |= {desktop.rows.insert(f"Desktop fact {i}.", "fact").id for i in range(20)}
    desktop.rows.tombstone(shared.id)
    with pytest.raises(SyncUnavailableError, match="Cannot reach the sync server"):
        laptop.sync()
    status = overview(laptop.paths)
    assert status.last_error_code == "sync_unavailable" and status.pending == 20

    live_server.start()
    converge(laptop, desktop)

    assert laptop.state() == desktop.state()
    assert added_offline <= set(laptop.memories())
    assert laptop.memories()[shared.id].deleted_at is not None
    assert overview(laptop.paths).last_error_code is None


def test_server_that_lost_recent_changes_gets_them_again(live_server: LiveServer, tmp_path: Path) -> None:
    laptop, desktop = pair(live_server.url, tmp_path)
    first = laptop.rows.insert("Before the backup.", "fact")
    converge(laptop, desktop)
    engine = create_engine(live_server.database_url)
    with engine.begin() as connection:
        backup_seq = connection.execute(text("SELECT max(last_seq) FROM users")).scalar_one()
    laptop.rows.insert("After the backup.", "fact")
    converge(laptop, desktop)
    with engine.begin() as connection:  # restored from the backup: the newer changes are gone
        connection.execute(text("DELETE FROM records WHERE seq > :seq"), {"seq": backup_seq})
        connection.execute(
            text("UPDATE users SET last_seq = :seq WHERE last_seq > :seq"), {"seq": backup_seq}
        )
    engine.dispose()

    report = desktop.sync()
    assert report.server_reset
    converge(laptop, desktop)
    assert laptop.state() == desktop.state()
    assert {"Before the backup.", "After the backup."} == desktop.live_texts()
    assert first.id in desktop.memories()
    fresh = Device("tablet", DataPaths(tmp_path / "tablet"))
    fresh.setup(live_server.url, _username(laptop))
    fresh.sync()
    assert fresh.live_texts() == {"Before the backup.", "After the backup."}


def _username(device: Device) -> str:
    from app.sync.account import load_account

    return load_account(device.paths).username
