"""The history list's own connection to the conversation log (WAL lets it read while a turn writes), so the
list never waits behind a turn in the engine's thread."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from app.paths import DataPaths

if TYPE_CHECKING:  # imported in the job thread: sqlite-utils would slow the window's start
    from sqlite_utils import Database

    from app.storage.conversations import ConversationLog, ConversationSummary
    from app.storage.records import Message


class HistoryStore:
    """Lists, reads and deletes conversations; opened on first use, safe from any one job at a time."""

    def __init__(self, paths: DataPaths) -> None:
        self.paths = paths
        self._lock = threading.Lock()
        self._db: Database | None = None
        self._log: ConversationLog | None = None

    def _open(self) -> ConversationLog:
        if self._log is None:
            from app.storage.conversations import ConversationLog
            from app.storage.database import node_clock, open_database

            self._db = open_database(self.paths.database)
            self._log = ConversationLog(self._db, node_clock(self._db))
        return self._log

    def summaries(self, query: str = "") -> list[ConversationSummary]:
        """Past conversations, newest first, matching ``query`` when given."""
        with self._lock:
            return self._open().summaries(query)

    def messages(self, conversation_id: str) -> list[Message]:
        """A conversation's messages, oldest first."""
        with self._lock:
            return self._open().messages(conversation_id)

    def delete(self, conversation_id: str) -> bool:
        """Delete a conversation (tombstones kept for sync)."""
        with self._lock:
            return self._open().delete_conversation(conversation_id)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._db is not None:
                self._db.close()
            self._db = self._log = None
