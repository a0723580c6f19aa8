"""The conversation log: every turn, with its stage timings, in the same database as the memories."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from app.storage.clock import HybridClock, utc_now
from app.storage.database import write
from app.storage.errors import StorageError
from app.storage.fts import fts_query
from app.storage.records import ConversationRecord, Message

log = logging.getLogger(__name__)

ROLES = ("user", "assistant", "system")
TITLE_CHARS = 80
"""A conversation's title is its first question, cut to this many characters."""


@dataclass(frozen=True)
class ConversationSummary:
    """One line of the history list: the title (the first question when none was stored) and when."""

    id: str
    title: str
    started_at: str
    updated_at: str


def title_from(question: str) -> str:
    """A title from the first question: one line, at most TITLE_CHARS characters."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


class ConversationLog:
    """Append-only record of conversations and their messages."""

    def __init__(self, db: Database, clock: HybridClock) -> None:
        """Use an open, migrated database."""
        self._db = db
        self._clock = clock

    def start_conversation(self, title: str | None = None) -> str:
        """A new conversation; returns its id."""
        conversation_id = str(uuid.uuid4())
        now = utc_now()
        with write(self._db, "start a conversation"):
            self._db.execute(
                "INSERT INTO conversations(id, started_at, updated_at, title, hlc) VALUES (?, ?, ?, ?, ?)",
                [conversation_id, now, now, title, self._clock.now()],
            )
        return conversation_id

    def add_message(
        self, conversation_id: str, role: str, text: str, timings: dict[str, float] | None = None
    ) -> str:
        """Record one message; ``timings`` maps stage name to seconds. Returns the message id.

        Raises:
            StorageError: unknown conversation or role, or the write failed.
        """
        if role not in ROLES:
            raise StorageError(f"Unknown message role {role!r}; expected one of {', '.join(ROLES)}.")
        message_id = str(uuid.uuid4())
        now = utc_now()
        clean = {str(k): float(v) for k, v in (timings or {}).items()}
        with write(self._db, "save the message"):
            found = self._db.execute("SELECT 1 FROM conversations WHERE id = ?", [conversation_id]).fetchone()
            if found is None:
                raise StorageError(f"No conversation with id {conversation_id}.")
            self._db.execute(
                "INSERT INTO messages(id, conversation_id, role, text, timings, created_at, updated_at, hlc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [message_id, conversation_id, role, text, json.dumps(clean), now, now, self._clock.now()],
            )
            self._db.execute(
                "UPDATE conversations SET updated_at = ?, hlc = ? WHERE id = ?",
                [now, self._clock.now(), conversation_id],
            )
        return message_id

    def exchange(self, message_id: str) -> list[str]:
        """The ids of a user message and of the assistant's reply right after it (if any)."""
        row = self._db.execute(
            "SELECT rowid, conversation_id FROM messages WHERE id = ?", [message_id]
        ).fetchone()
        if row is None:
            return []
        reply = self._db.execute(
            "SELECT id, role FROM messages WHERE conversation_id = ? AND rowid > ? ORDER BY rowid LIMIT 1",
            [row[1], row[0]],
        ).fetchone()
        return [message_id, reply[0]] if reply and reply[1] == "assistant" else [message_id]

    def redact(self, message_ids: list[str]) -> int:
        """Erase messages' text, keeping tombstones for sync (used when the user makes Aris forget what a
        message said). Returns how many were erased."""
        if not message_ids:
            return 0
        now = utc_now()
        erased = 0
        with write(self._db, "erase the message"):
            for message_id in message_ids:
                cursor = self._db.execute(
                    "UPDATE messages SET text = '', deleted_at = ?, updated_at = ?, hlc = ? "
                    "WHERE id = ? AND deleted_at IS NULL",
                    [now, now, self._clock.now(), message_id],
                )
                erased += cursor.rowcount
        return erased

    def messages(self, conversation_id: str) -> list[Message]:
        """The conversation's messages, oldest first."""
        rows = self._db.execute(
            "SELECT id, conversation_id, role, text, created_at, timings FROM messages "
            "WHERE conversation_id = ? AND deleted_at IS NULL ORDER BY created_at, rowid",
            [conversation_id],
        ).fetchall()
        return [_message(row) for row in rows]

    def summaries(self, query: str = "", limit: int = 200) -> list[ConversationSummary]:
        """Conversations with at least one message, newest first; ``query`` keeps those whose title or
        messages contain it (full-text for the messages)."""
        first_question = (
            "(SELECT m.text FROM messages m WHERE m.conversation_id = c.id AND m.role = 'user' "
            "AND m.deleted_at IS NULL ORDER BY m.created_at, m.rowid LIMIT 1)"
        )
        sql = (
            f"SELECT c.id, COALESCE(NULLIF(c.title, ''), {first_question}, ''), c.started_at, c.updated_at "
            "FROM conversations c WHERE c.deleted_at IS NULL AND EXISTS (SELECT 1 FROM messages m "
            "WHERE m.conversation_id = c.id AND m.deleted_at IS NULL)"
        )
        args: list[object] = []
        match = fts_query(query) if query.strip() else ""
        if query.strip():
            sql += f" AND (COALESCE(c.title, {first_question}) LIKE ? ESCAPE '\\'"
            args.append("%" + query.strip().replace("%", "\\%").replace("_", "\\_") + "%")
            if match:
                sql += (
                    " OR c.id IN (SELECT m.conversation_id FROM messages_fts f JOIN messages m "
                    "ON m.rowid = f.rowid WHERE messages_fts MATCH ?)"
                )
                args.append(match)
            sql += ")"
        sql += " ORDER BY c.updated_at DESC LIMIT ?"
        args.append(limit)
        rows = self._db.execute(sql, args).fetchall()
        return [
            ConversationSummary(row[0], title_from(row[1] or "") or "(untitled)", row[2], row[3])
            for row in rows
        ]

    def delete_conversation(self, conversation_id: str) -> bool:
        """Erase a conversation and its messages' text, keeping tombstones for sync. False if none was live."""
        now = utc_now()
        with write(self._db, "delete the conversation"):
            cursor = self._db.execute(
                "UPDATE conversations SET title = NULL, deleted_at = ?, updated_at = ?, hlc = ? "
                "WHERE id = ? AND deleted_at IS NULL",
                [now, now, self._clock.now(), conversation_id],
            )
            if cursor.rowcount == 0:
                return False
            self._db.execute(
                "UPDATE messages SET text = '', deleted_at = ?, updated_at = ?, hlc = ? "
                "WHERE conversation_id = ? AND deleted_at IS NULL",
                [now, now, self._clock.now(), conversation_id],
            )
        return True

    def recent_conversations(self, limit: int = 20) -> list[ConversationRecord]:
        """The most recently active conversations, newest first."""
        rows = self._db.execute(
            "SELECT id, started_at, updated_at, title FROM conversations WHERE deleted_at IS NULL "
            "ORDER BY updated_at DESC LIMIT ?",
            [limit],
        ).fetchall()
        return [ConversationRecord(*row) for row in rows]

    def search_messages(self, query: str, limit: int = 20) -> list[Message]:
        """Messages matching ``query`` (full-text, BM25 order)."""
        match = fts_query(query)
        if not match:
            return []
        rows = self._db.execute(
            "SELECT m.id, m.conversation_id, m.role, m.text, m.created_at, m.timings "
            "FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid "
            "WHERE messages_fts MATCH ? ORDER BY bm25(messages_fts) LIMIT ?",
            [match, limit],
        ).fetchall()
        return [_message(row) for row in rows]


def _message(row: tuple[Any, ...]) -> Message:
    timings = json.loads(row[5]) if row[5] else {}
    return Message(
        id=row[0], conversation_id=row[1], role=row[2], text=row[3], created_at=row[4], timings=timings
    )
