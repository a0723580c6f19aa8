"""The SQLite layer on real temp files: migrations, FTS kept current by triggers, change numbers, transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.storage.clock import HybridClock
from app.storage.conversations import ConversationLog
from app.storage.database import node_clock, open_database, write
from app.storage.errors import StorageCorruptError, StorageError
from app.storage.memory_rows import MemoryRows
from app.storage.migrations import migrations


def _rows(path: Path) -> MemoryRows:
    db = open_database(path)
    return MemoryRows(db, node_clock(db))


def _fts_texts(rows: MemoryRows) -> list[str]:
    return [
        row[0]
        for row in rows.db.execute(
            "SELECT m.text FROM memories_fts JOIN memories m ON m.rowid = memories_fts.rowid "
            "WHERE memories_fts MATCH 'user' ORDER BY m.rowid"
        )
    ]


def test_new_database_is_wal_and_fully_migrated(tmp_path: Path) -> None:
    db = open_database(tmp_path / "aris.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not migrations.pending(db)
    assert {"conversations", "messages", "memories", "memories_fts", "messages_fts", "meta"} <= set(
        db.table_names()
    )
    for table in ("memories", "messages", "conversations"):
        columns = {c.name for c in db[table].columns}
        assert {"hlc", "deleted_at"} <= columns
    db.conn.close()
    again = open_database(tmp_path / "aris.db")  # reopening applies nothing and keeps the node id
    assert not migrations.pending(again)


def test_old_m001_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    from sqlite_utils import Database

    old_db = Database(old)
    migrations.apply(old_db, stop_before="m002_supersede_and_sync")
    old.execute(
        "INSERT INTO memories(id, text, kind, created_at, updated_at) VALUES "
        "('m-1', 'The user lives in Berlin.', 'fact', '2025-01-02T03:04:05.000+00:00', "
        "'2025-01-02T03:04:05.000+00:00')"
    )
    old.commit()
    old.close()

    rows = _rows(path)
    memory = rows.get("m-1")
    assert memory is not None and memory.is_live and memory.text == "The user lives in Berlin."
    assert [hit[0] for hit in rows.full_text("Berlin", 5)] == ["m-1"]
    seq, hlc = rows.db.execute("SELECT seq, hlc FROM memories WHERE id = 'm-1'").fetchone()
    assert seq >= 1
    assert hlc == "1735787045000-0000-legacy"
    # New writes sort after the legacy clock values.
    added = rows.insert("The user likes tea.", "preference")
    new_hlc = rows.db.execute("SELECT hlc FROM memories WHERE id = ?", [added.id]).fetchone()[0]
    assert new_hlc > hlc
    assert rows.max_seq() > seq


def test_foreign_and_damaged_files_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageCorruptError, match="not an Aris one"):
        open_database(foreign)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StorageCorruptError, match="damaged or is not an Aris database"):
        open_database(garbage)


def test_full_text_index_follows_every_change(tmp_path: Path) -> None:
    rows = _rows(tmp_path / "aris.db")
    berlin = rows.insert("The user lives in Berlin.", "fact", slot="lives_in")
    car = rows.insert("The user drives a red Volvo.", "fact")
    assert _fts_texts(rows) == ["The user lives in Berlin.", "The user drives a red Volvo."]

    rows.update(car.id, text="The user drives a blue Volvo.")
    assert [hit[0] for hit in rows.full_text("blue", 5)] == [car.id]
    assert rows.full_text("red", 5) == []

    lisbon = rows.insert("The user lives in Lisbon.", "fact", slot="lives_in")
    rows.supersede(berlin.id, lisbon.id)
    assert rows.full_text("Berlin", 5) == []  # history is kept but hidden from search
    assert rows.get(berlin.id).superseded_by == lisbon.id  # type: ignore[union-attr]

    rows.tombstone(car.id)
    tomb = rows.get(car.id)
    assert tomb is not None and tomb.deleted_at and tomb.text == ""
    assert rows.full_text("Volvo", 5) == []
    assert rows.live_count() == 1
    assert [m.id for m in rows.list()] == [lisbon.id]
    assert {m.id for m in rows.list(include_deleted=True)} == {berlin.id, car.id, lisbon.id}
    # FTS5's own consistency check (the index holds live rows only, so not against the content table).
    rows.db.execute("INSERT INTO memories_fts(memories_fts, rank) VALUES ('integrity-check', 0)")


def test_a_bounded_full_text_search_ranks_the_newest_matches(tmp_path: Path) -> None:
    rows = _rows(tmp_path / "aris.db")
    texts = [
        "Rosa lives in Lyon and works there as a nurse.",  # oldest, and the best match of the two words
        *(f"Rosa went to the market on day {day}." for day in range(30)),
        "Rosa lives in Lyon.",
        "Rosa and Lyon again.",
        "Tomas lives in Ghent.",
    ]
    ids = rows.insert_many([(text, None) for text in texts])
    # Fewer matches than the scan: exactly the full ranking, ties included.
    assert rows.full_text("Rosa Lyon", 5, scan=100) == rows.full_text("Rosa Lyon", 5)
    assert rows.full_text("Rosa", 40, scan=1000) == rows.full_text("Rosa", 40)
    # More: only the newest ``scan`` matches are ranked, so the oldest, best match is out of reach.
    assert ids[0] in [i for i, _ in rows.full_text("Rosa Lyon", 3)]
    bounded = [i for i, _ in rows.full_text("Rosa Lyon", 3, scan=10)]
    assert set(bounded) <= set(ids[-11:-1]) and ids[0] not in bounded
    assert set(bounded[:2]) == {ids[-3], ids[-2]}  # the two newest that have both words
    assert rows.full_text("Ghent", 5, scan=1) == [(ids[-1], rows.full_text("Ghent", 5)[0][1])]


def test_every_change_gets_a_new_change_number(tmp_path: Path) -> None:
    rows = _rows(tmp_path / "aris.db")
    first = rows.insert("The user likes tea.", "preference")
    second = rows.insert("The user likes coffee.", "preference")
    assert rows.max_seq() == 2
    rows.tombstone(first.id)
    changes = rows.changed_since(1)
    assert [(c.id, c.live) for c in changes] == [(second.id, True), (first.id, False)]
    assert changes[-1].seq == rows.max_seq() == 3
    ids = rows.insert_many([("The user has a cat.", None), ("The user owns a bike.", None)])
    assert [c.id for c in rows.changed_since(3)] == ids


def test_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    rows = _rows(tmp_path / "aris.db")
    rows.insert("The user likes tea.", "preference")
    with pytest.raises(StorageError), write(rows.db, "import"):
        rows.insert("The user likes coffee.", "preference")
        rows.db.execute("INSERT INTO no_such_table VALUES (1)")
    assert [m.text for m in rows.list()] == ["The user likes tea."]
    assert rows.full_text("coffee", 5) == []
    assert not rows.db.conn.in_transaction


def test_conversation_log_keeps_stage_times(tmp_path: Path) -> None:
    db = open_database(tmp_path / "aris.db")
    log = ConversationLog(db, node_clock(db))
    conversation = log.start_conversation()
    log.add_message(conversation, "user", "What is the capital of France?", {"transcript_ready": 0.31})
    log.add_message(conversation, "assistant", "The capital of France is Paris.", {"first_audio": 0.57})
    messages = log.messages(conversation)
    assert [(m.role, m.timings) for m in messages] == [
        ("user", {"transcript_ready": 0.31}),
        ("assistant", {"first_audio": 0.57}),
    ]
    assert [m.text for m in log.search_messages("Paris")] == ["The capital of France is Paris."]
    assert log.recent_conversations()[0].id == conversation
    with pytest.raises(StorageError, match="No conversation"):
        log.add_message("nope", "user", "hi")


def test_hybrid_clock_never_goes_backwards() -> None:
    clock = HybridClock("node1")
    clock.observe("9999999999999-0005-other")
    values = [clock.now() for _ in range(100)]
    assert values == sorted(values) and len(set(values)) == 100
    assert values[0] > "9999999999999-0005-other"


def test_hybrid_clock_counter_never_outgrows_its_four_digits() -> None:
    """A remote clock ahead of ours makes every stamp a counter bump; past 9999 the text order would break."""
    clock = HybridClock("node1")
    clock.observe("9999999999990-9990-other")
    values = [clock.now() for _ in range(30)]
    assert values == sorted(values) and len(set(values)) == 30
    assert all(len(v.split("-")[1]) == 4 for v in values)
    assert values[-1].startswith("9999999999991-")
