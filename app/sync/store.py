"""The local side of sync, on the Aris database (`app.storage`): what to push, and how to apply what was pulled.

Rules, per record (memory, conversation, message, list, list item):
- the version with the greater hybrid-logical-clock value wins (a tombstone is a version like any other, so it
  wins over older edits and loses to newer ones);
- nothing is ever deleted because the server lacks it: only explicit tombstones delete;
- when the text of one memory was changed on two devices since the version both had in common, the losing text
  is kept as a new memory (a conflict copy) instead of vanishing. To know "since the common version", each
  synced memory carries its text lineage: the clock value of the version that wrote its text and of the texts
  that text replaced (`TextLineage`).

What this device last exchanged with the server is kept in `sync_records` (its own migration set, so the storage
schema stays the memory layer's). A row whose `hlc` is newer than its `synced_hlc` is pending.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from app.storage.clock import HybridClock, utc_now
from app.storage.database import write
from app.storage.memory_rows import NEXT_SEQ
from app.storage.migrations import LIVE_MEMORY, run_script
from app.storage.records import MEMORY_FIELDS
from app.sync.engine import ApplyResult, LocalRecord
from app.sync.protocol import CLOCK_VALUE
from server.wire import RecordKind

log = logging.getLogger(__name__)

sync_migrations = Migrations("aris-sync")

# Text versions remembered per memory; older ones drop off (a conflict that old may then yield one extra copy).
MAX_TEXT_HISTORY = 32
# Conflict copies get ids derived from what they preserve, so two devices making the same copy make one record.
_CONFLICT_NAMESPACE = uuid.UUID("5b1f0c9e-6a5e-4d1e-9f3c-1d2a7e0c4b11")
_TABLES = {
    RecordKind.MEMORY: "memories",
    RecordKind.CONVERSATION: "conversations",
    RecordKind.MESSAGE: "messages",
    RecordKind.LIST: "lists",
    RecordKind.LIST_ITEM: "list_items",
}
# Parents before children, so a fresh device can insert messages after their conversation.
_PUSH_ORDER = (
    RecordKind.CONVERSATION,
    RecordKind.MESSAGE,
    RecordKind.MEMORY,
    RecordKind.LIST,
    RecordKind.LIST_ITEM,
)
_MEMORY_FIELDS = tuple(f for f in MEMORY_FIELDS if f != "id")  # the id travels as the record id
_CONVERSATION_FIELDS = ("started_at", "updated_at", "title", "deleted_at")
_MESSAGE_FIELDS = ("conversation_id", "role", "text", "timings", "created_at", "updated_at", "deleted_at")
_LIST_FIELDS = ("name", "created_at", "updated_at", "deleted_at")
_LIST_ITEM_FIELDS = ("list_id", "text", "done", "created_at", "updated_at", "deleted_at")
_FIELDS = {
    RecordKind.MEMORY: _MEMORY_FIELDS,
    RecordKind.CONVERSATION: _CONVERSATION_FIELDS,
    RecordKind.MESSAGE: _MESSAGE_FIELDS,
    RecordKind.LIST: _LIST_FIELDS,
    RecordKind.LIST_ITEM: _LIST_ITEM_FIELDS,
}
_CURSOR_KEY = "cursor"


@sync_migrations()
def s001_sync_records(db: Database) -> None:
    """What this device last exchanged with the server, per record, and small sync settings (the cursor)."""
    run_script(
        db,
        """
        CREATE TABLE sync_records (
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            synced_hlc TEXT NOT NULL,
            text_hash TEXT,
            text_hlc TEXT,
            text_history TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (kind, id)
        );
        CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    )


@sync_migrations()
def m006_sync_deferred_records(db: Database) -> None:
    """Authentic remote records this version cannot read yet (unknown kind or format), kept to apply later."""
    run_script(
        db,
        """
        CREATE TABLE sync_deferred (
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            hlc TEXT NOT NULL,
            deleted INTEGER NOT NULL,
            payload BLOB NOT NULL,
            PRIMARY KEY (kind, id)
        );
        """,
    )


@dataclass(frozen=True)
class TextLineage:
    """Which text versions a memory's text descends from: its own writer's clock value and older ones."""

    text_hlc: str
    history: tuple[str, ...] = ()

    def includes(self, text_hlc: str) -> bool:
        """Whether `text_hlc`'s text was seen (kept or replaced) on the way to this text."""
        return text_hlc == self.text_hlc or text_hlc in self.history

    def replacing(self, new_text_hlc: str) -> TextLineage:
        """The lineage of a new text that replaces this one."""
        return TextLineage(new_text_hlc, (self.text_hlc, *self.history)[:MAX_TEXT_HISTORY])

    def merged_with(self, seen: TextLineage) -> TextLineage:
        """This lineage, also remembering that `seen`'s text was looked at and preserved."""
        extra = [h for h in (seen.text_hlc, *seen.history) if not self.includes(h)]
        return TextLineage(self.text_hlc, (*self.history, *extra)[:MAX_TEXT_HISTORY])


@dataclass(frozen=True)
class _Synced:
    synced_hlc: str
    text_hash: str | None
    lineage: TextLineage | None


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class LocalSyncStore:
    """Implements the engine's `SyncStore` on an open, migrated Aris database."""

    def __init__(self, db: Database, clock: HybridClock) -> None:
        """Use the database's own clock (`app.storage.database.node_clock`), so local edits and merged remote
        versions are ordered by one clock."""
        self.db = db
        self.clock = clock
        with write(db, "prepare the database for sync"):
            sync_migrations.apply(db)

    # Cursor and bookkeeping -----------------------------------------------------------------------------------

    def get_cursor(self) -> str | None:
        """The saved feed cursor."""
        return self.get_meta(_CURSOR_KEY)

    def set_cursor(self, cursor: str) -> None:
        """Save the cursor (after the page it covers was applied)."""
        self.set_meta(_CURSOR_KEY, cursor)

    def get_meta(self, key: str) -> str | None:
        """A small sync setting or status value."""
        row = self.db.execute("SELECT value FROM sync_meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Save a small sync setting or status value."""
        with write(self.db, "save the sync state"):
            self.db.execute("INSERT OR REPLACE INTO sync_meta(key, value) VALUES (?, ?)", [key, value])

    def reset(self) -> None:
        """Forget what was exchanged with the server: everything becomes pending and the feed is read anew.

        For a new account or server, and for a server restored from an older backup. Local data is untouched.
        """
        with write(self.db, "reset the sync state"):
            self.db.execute("DELETE FROM sync_records")
            self.db.execute("DELETE FROM sync_meta WHERE key = ?", [_CURSOR_KEY])

    def resync(self) -> None:
        """After the server went back in time (restored from a backup): offer everything again and read the
        whole feed, keeping each memory's text lineage so versions written before stay ordered (no false
        conflict copies)."""
        with write(self.db, "reset the sync state"):
            self.db.execute("UPDATE sync_records SET synced_hlc = ''")
            self.db.execute("DELETE FROM sync_meta WHERE key = ?", [_CURSOR_KEY])

    def live_memory_count(self) -> int:
        """How many memories recall can return here."""
        return int(self.db.execute(f"SELECT count(*) FROM memories WHERE {LIVE_MEMORY}").fetchone()[0])

    def deletions_among(self, records: Sequence[LocalRecord]) -> int:
        """How many of `records` are newer tombstones of memories that are live here."""
        tombstones = {r.id: r.hlc for r in records if r.kind is RecordKind.MEMORY and r.deleted}
        count = 0
        ids = list(tombstones)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.db.execute(
                f"SELECT id, hlc FROM memories WHERE {LIVE_MEMORY} AND id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            count += sum(1 for record_id, hlc in rows if hlc is None or tombstones[record_id] > hlc)
        return count

    # Damaged and unreadable remote records ------------------------------------------------------------------

    def restamp(self, damaged: Sequence[tuple[str, str]]) -> list[str]:
        """Re-stamp local copies of records whose server version is damaged, so they are pushed again."""
        repaired: list[str] = []
        with write(self.db, "mark damaged records for sending again"):
            for record_id, bad_hlc in damaged:
                if CLOCK_VALUE.fullmatch(bad_hlc):
                    self.clock.observe(bad_hlc)  # the new stamp must beat the damaged version's clock
                for table in _TABLES.values():
                    cursor = self.db.execute(
                        f"UPDATE {table} SET hlc = ? WHERE id = ? AND hlc IS NOT NULL",
                        [self.clock.now(), record_id],
                    )
                    if cursor.rowcount:
                        repaired.append(record_id)
                        break
        if len(repaired) < len(damaged):
            log.warning(
                "%d damaged records have no copy here to repair them with", len(damaged) - len(repaired)
            )
        return repaired

    def restamp_all(self) -> int:
        """Give every synced local record a new clock value, so all are pushed again (re-encrypted after a key
        rotation) and win over the copies under the old key; returns how many."""
        count = 0
        with write(self.db, "mark every record for sending again"):
            for table in _TABLES.values():
                ids = [row[0] for row in self.db.execute(f"SELECT id FROM {table} WHERE hlc IS NOT NULL")]
                for record_id in ids:
                    self.db.execute(f"UPDATE {table} SET hlc = ? WHERE id = ?", [self.clock.now(), record_id])
                count += len(ids)
        return count

    def defer(self, records: Sequence[tuple[str, str, str, bool, bytes]]) -> None:
        """Keep authentic records this version cannot read (a newer one of the same record replaces them)."""
        with write(self.db, "keep unreadable synced records"):
            for kind, record_id, hlc, deleted, payload in records:
                self.db.execute(
                    "INSERT INTO sync_deferred(kind, id, hlc, deleted, payload) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(kind, id) DO UPDATE SET hlc = excluded.hlc, deleted = excluded.deleted, "
                    "payload = excluded.payload WHERE excluded.hlc > sync_deferred.hlc",
                    [kind, record_id, hlc, int(deleted), payload],
                )

    def apply_deferred(self) -> tuple[int, int]:
        """Apply kept records this version can read now (after an update); returns (applied, still kept)."""
        rows = self.db.execute("SELECT kind, id, hlc, deleted, payload FROM sync_deferred").fetchall()
        readable = []
        for kind, record_id, hlc, deleted, payload in rows:
            try:
                readable.append(LocalRecord(record_id, RecordKind(kind), hlc, bool(deleted), payload))
            except ValueError:
                continue
        if not readable:
            return 0, len(rows)
        result = self.apply_remote(readable)
        with write(self.db, "forget applied synced records"):
            for record in readable:
                if record.id not in result.rejected:
                    self.db.execute(
                        "DELETE FROM sync_deferred WHERE kind = ? AND id = ?", [record.kind.value, record.id]
                    )
        return len(result.applied), len(rows) - len(readable) + len(result.rejected)

    # Push side -----------------------------------------------------------------------------------------------

    def pending_count(self) -> int:
        """How many local record versions the server has not acknowledged."""
        total = 0
        for kind, table in _TABLES.items():
            total += self.db.execute(
                f"SELECT count(*) FROM {table} t LEFT JOIN sync_records s ON s.kind = ? AND s.id = t.id "
                "WHERE t.hlc IS NOT NULL AND (s.synced_hlc IS NULL OR t.hlc > s.synced_hlc)",
                [kind.value],
            ).fetchone()[0]
        return total

    def pending_changes(self) -> list[LocalRecord]:
        """Local versions newer than what the server acknowledged, parents first."""
        return list(self._iter_pending())

    def _iter_pending(self) -> Iterator[LocalRecord]:
        for kind in _PUSH_ORDER:
            table, fields = _TABLES[kind], _FIELDS[kind]
            rows = self.db.execute(
                f"SELECT t.id, t.hlc, {', '.join('t.' + f for f in fields)}, s.synced_hlc, s.text_hash, "
                f"s.text_hlc, s.text_history FROM {table} t "
                "LEFT JOIN sync_records s ON s.kind = ? AND s.id = t.id "
                "WHERE t.hlc IS NOT NULL AND (s.synced_hlc IS NULL OR t.hlc > s.synced_hlc) ORDER BY t.rowid",
                [kind.value],
            ).fetchall()
            for row in rows:
                record_id, hlc = row[0], row[1]
                values = dict(zip(fields, row[2 : 2 + len(fields)], strict=True))
                synced = _synced_from(row[2 + len(fields) :])
                payload: dict[str, Any] = dict(values)
                if kind is RecordKind.LIST_ITEM:
                    payload["done"] = bool(payload["done"])
                if kind is RecordKind.MEMORY:
                    payload["pinned"] = bool(payload["pinned"])
                    lineage = _local_lineage(values["text"], hlc, synced)
                    payload["text_hlc"] = lineage.text_hlc
                    payload["text_history"] = list(lineage.history)
                deleted = values["deleted_at"] is not None
                yield LocalRecord(record_id, kind, hlc, deleted, _encode(payload))

    def mark_pushed(self, records: Sequence[LocalRecord]) -> None:
        """The server stored these versions: remember them as the common base with the server."""
        with write(self.db, "save the sync state"):
            for record in records:
                payload = _decode(record.payload)
                text_hash = lineage = None
                if record.kind is RecordKind.MEMORY:
                    text_hash = _text_hash(payload["text"])
                    lineage = _payload_lineage(payload, record.hlc)
                self._save_synced(record.kind, record.id, record.hlc, text_hash, lineage)

    # Pull side -----------------------------------------------------------------------------------------------

    def apply_remote(self, records: Sequence[LocalRecord]) -> ApplyResult:
        """Apply a page of remote versions in one transaction (last writer by clock wins, per record)."""
        result = ApplyResult()
        ordered = sorted(records, key=lambda r: _PUSH_ORDER.index(r.kind))
        with write(self.db, "apply synced changes"):
            for record in ordered:
                try:
                    payload = _checked_payload(record)
                except ValueError as error:
                    log.warning("Remote record %s is unreadable and was not applied: %s", record.id, error)
                    result.rejected.append(record.id)
                    continue
                self.clock.observe(record.hlc)
                if self._apply_one(record, payload):
                    result.applied.append(record.id)
                else:
                    result.skipped.append(record.id)
        return result

    def _apply_one(self, remote: LocalRecord, payload: dict[str, Any]) -> bool:
        table, fields = _TABLES[remote.kind], _FIELDS[remote.kind]
        row = self.db.execute(
            f"SELECT hlc, {', '.join(fields)} FROM {table} WHERE id = ?", [remote.id]
        ).fetchone()
        local_hlc = row[0] if row else None
        if remote.kind is RecordKind.MEMORY:
            return self._apply_memory(remote, payload, row)
        if local_hlc is not None and local_hlc >= remote.hlc:
            return False
        if remote.kind is RecordKind.MESSAGE:
            self._ensure_conversation(payload)
        if remote.kind is RecordKind.LIST_ITEM:
            self._ensure_list(payload)
        self._write_row(remote.kind, remote.id, remote.hlc, payload, exists=row is not None)
        self._save_synced(remote.kind, remote.id, remote.hlc, None, None)
        return True

    def _apply_memory(
        self, remote: LocalRecord, payload: dict[str, Any], row: tuple[Any, ...] | None
    ) -> bool:
        """Last writer by clock wins the record; the text is settled by lineage (see `_settle_text`)."""
        remote_lineage = _payload_lineage(payload, remote.hlc)
        remote_hash = _text_hash(payload["text"])
        if row is None:
            self._write_row(RecordKind.MEMORY, remote.id, remote.hlc, payload, exists=False)
            self._save_synced(RecordKind.MEMORY, remote.id, remote.hlc, remote_hash, remote_lineage)
            return True
        local_hlc = row[0]
        if local_hlc == remote.hlc:
            return False
        local = dict(zip(_MEMORY_FIELDS, row[1:], strict=True))
        synced = self._synced(RecordKind.MEMORY, remote.id)
        local_lineage = _local_lineage(local["text"], local_hlc, synced)
        remote_wins = local_hlc is None or remote.hlc > local_hlc
        if remote_wins:
            text = self._settle_text(remote.id, payload, remote_lineage, local, local_lineage)
            seen = remote_lineage.merged_with(local_lineage) if text is not None else remote_lineage
            merged = {**payload, "text": text} if text is not None else payload
            # A merge is a new version (it must travel back), so it gets a clock value of its own.
            stamp = self.clock.now() if text is not None else remote.hlc
            self._write_row(RecordKind.MEMORY, remote.id, stamp, merged, exists=True)
            self._save_synced(RecordKind.MEMORY, remote.id, remote.hlc, remote_hash, seen)
            return True
        text = self._settle_text(remote.id, local, local_lineage, payload, remote_lineage)
        base = synced or _Synced(remote.hlc, remote_hash, None)
        seen = (base.lineage or remote_lineage).merged_with(remote_lineage)
        if text is not None:
            self._write_row(
                RecordKind.MEMORY, remote.id, self.clock.now(), {**local, "text": text}, exists=True
            )
        # Remember the remote text as seen, so our next push does not look concurrent to its author.
        self._save_synced(RecordKind.MEMORY, remote.id, base.synced_hlc, base.text_hash, seen)
        return text is not None

    def _settle_text(
        self,
        memory_id: str,
        winner: dict[str, Any],
        winner_lineage: TextLineage,
        loser: dict[str, Any],
        loser_lineage: TextLineage,
    ) -> str | None:
        """The text the winning version should carry instead of its own, or None to keep its own.

        The winner's text stays when it was written knowing the loser's. When only the loser changed the text
        (the winner changed, say, the pin), the loser's newer text is taken over. When both changed it since
        their common version, the winner's stays and the loser's is kept as a conflict copy. Deletions are
        deliberate and settle nothing.
        """
        if loser.get("deleted_at") is not None or winner.get("deleted_at") is not None:
            return None
        if not loser.get("text") or loser.get("text") == winner.get("text"):
            return None
        if winner_lineage.includes(loser_lineage.text_hlc):
            return None
        if loser_lineage.includes(winner_lineage.text_hlc):
            return str(loser["text"])
        self._conflict_copy(memory_id, loser, loser_lineage)
        return None

    def _conflict_copy(self, memory_id: str, values: dict[str, Any], lineage: TextLineage) -> None:
        copy_id = str(uuid.uuid5(_CONFLICT_NAMESPACE, f"{memory_id}/{lineage.text_hlc}"))
        if self.db.execute("SELECT 1 FROM memories WHERE id = ?", [copy_id]).fetchone():
            return
        log.warning(
            "Memory %s was edited on two devices; keeping the other text as memory %s", memory_id, copy_id
        )
        now = utc_now()
        copy = {
            **{f: values.get(f) for f in _MEMORY_FIELDS},
            "pinned": bool(values.get("pinned")),
            "slot": None,  # a slot would make the memory rules supersede one of the two at once
            "updated_at": now,
            "deleted_at": None,
            "superseded_by": None,
            "superseded_at": None,
        }
        self._write_row(RecordKind.MEMORY, copy_id, self.clock.now(), copy, exists=False)

    def _ensure_conversation(self, message: dict[str, Any]) -> None:
        """A message may arrive before its conversation (the feed orders by last change); hold its place with
        an empty conversation that the real one overwrites (no clock value, so it is never pushed)."""
        conversation_id = message["conversation_id"]
        if self.db.execute("SELECT 1 FROM conversations WHERE id = ?", [conversation_id]).fetchone():
            return
        self.db.execute(
            "INSERT INTO conversations(id, started_at, updated_at, title, hlc) VALUES (?, ?, ?, NULL, NULL)",
            [conversation_id, message["created_at"], message["created_at"]],
        )

    def _ensure_list(self, item: dict[str, Any]) -> None:
        """An item may arrive before its list: hold the list's place with a hidden row (no clock value, so it
        is never pushed) that the real list overwrites."""
        list_id = item["list_id"]
        if self.db.execute("SELECT 1 FROM lists WHERE id = ?", [list_id]).fetchone():
            return
        self.db.execute(
            "INSERT INTO lists(id, name, created_at, updated_at, hlc, deleted_at) VALUES (?, ?, ?, ?, NULL, ?)",
            [list_id, list_id, item["created_at"], item["created_at"], item["created_at"]],
        )

    def _write_row(
        self, kind: RecordKind, record_id: str, hlc: str, payload: dict[str, Any], *, exists: bool
    ) -> None:
        table, fields = _TABLES[kind], _FIELDS[kind]
        values = [_column_value(f, payload.get(f)) for f in fields]
        extra = f", seq = {NEXT_SEQ}" if kind is RecordKind.MEMORY else ""
        if exists:
            sets = ", ".join(f"{f} = ?" for f in fields)
            self.db.execute(
                f"UPDATE {table} SET {sets}, hlc = ?{extra} WHERE id = ?", [*values, hlc, record_id]
            )
            return
        columns = ["id", *fields, "hlc"]
        marks = ["?"] * len(columns)
        if kind is RecordKind.MEMORY:
            columns.append("seq")
            marks.append(NEXT_SEQ)
        self.db.execute(
            f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join(marks)})",
            [record_id, *values, hlc],
        )

    def _synced(self, kind: RecordKind, record_id: str) -> _Synced | None:
        row = self.db.execute(
            "SELECT synced_hlc, text_hash, text_hlc, text_history FROM sync_records WHERE kind = ? AND id = ?",
            [kind.value, record_id],
        ).fetchone()
        return _synced_from(row)

    def _save_synced(
        self,
        kind: RecordKind,
        record_id: str,
        hlc: str,
        text_hash: str | None,
        lineage: TextLineage | None,
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sync_records(kind, id, synced_hlc, text_hash, text_hlc, text_history) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                kind.value,
                record_id,
                hlc,
                text_hash,
                lineage.text_hlc if lineage else None,
                json.dumps(list(lineage.history)) if lineage else "[]",
            ],
        )


def _synced_from(row: Sequence[Any] | None) -> _Synced | None:
    if row is None or row[0] is None:
        return None
    lineage = TextLineage(row[2], tuple(json.loads(row[3] or "[]"))) if row[2] else None
    return _Synced(row[0], row[1], lineage)


def _local_lineage(text: str, hlc: str, synced: _Synced | None) -> TextLineage:
    """The local text's lineage: the synced one while the text is unchanged, else a new text replacing it."""
    if synced is None or synced.lineage is None:
        return TextLineage(hlc)
    if synced.text_hash == _text_hash(text):
        return synced.lineage
    return synced.lineage.replacing(hlc)


def _payload_lineage(payload: dict[str, Any], hlc: str) -> TextLineage:
    text_hlc = payload.get("text_hlc")
    if not isinstance(text_hlc, str):
        return TextLineage(hlc)
    history = payload.get("text_history")
    return TextLineage(text_hlc, tuple(str(h) for h in history) if isinstance(history, list) else ())


_REQUIRED = {
    RecordKind.MEMORY: ("text", "kind", "created_at", "updated_at"),
    RecordKind.CONVERSATION: ("started_at", "updated_at"),
    RecordKind.MESSAGE: ("conversation_id", "role", "text", "created_at", "updated_at"),
    RecordKind.LIST: ("name", "created_at", "updated_at"),
    RecordKind.LIST_ITEM: ("list_id", "text", "created_at", "updated_at"),
}


def _checked_payload(record: LocalRecord) -> dict[str, Any]:
    """The decoded payload; ValueError if a field the table needs is missing or of the wrong type.

    The payload passed authentication, so this guards against other Aris versions, not against attackers.
    """
    try:
        payload = _decode(record.payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("not JSON") from error
    for name in _REQUIRED[record.kind]:
        if not isinstance(payload.get(name), str):
            raise ValueError(f"field {name!r} is missing")
    for name in _FIELDS[record.kind]:
        value = payload.get(name)
        if value is not None and not isinstance(value, str | bool | int):
            raise ValueError(f"field {name!r} has an unexpected type")
    if (payload.get("deleted_at") is not None) != record.deleted:
        raise ValueError("the deletion flag does not match the contents")
    return payload


def _column_value(field: str, value: Any) -> Any:
    if field in ("pinned", "done"):
        return int(bool(value))
    return value


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _decode(payload: bytes) -> dict[str, Any]:
    value = json.loads(payload)
    if not isinstance(value, dict):
        raise ValueError("a synced record must be a JSON object")
    return value
