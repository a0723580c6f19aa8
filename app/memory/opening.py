"""Memory that opens on a background thread while the language model loads.

Opening the store costs a one-shot `ask` more than everything else before its first token: Chroma's import,
the embedding model and the index's start-up check take 1-2 s. When anything is remembered, the store opens
on a background thread while the language model loads (in C, without the GIL), and recall waits for it. When
nothing is (known from SQLite in milliseconds), a question waits for neither Chroma nor the embedder: the
store opens when something needs it, a memory command or learning after the answer."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from app.memory.commands import parse_command
from app.storage.migrations import LIVE_MEMORY

if TYPE_CHECKING:
    from app.memory.service import MemoryService

log = logging.getLogger(__name__)


class OpeningMemory:
    """Long-term memory as the assistant holds it, in one type whether it is still opening or open: the
    pipeline's memory hook (intercept, recall, learn), and `service()` for everything else (waiting for it)."""

    def __init__(self, open_store: Callable[[], MemoryService], database: Path) -> None:
        """Start ``open_store`` on a background thread if anything is remembered (recall will need it);
        otherwise only when something needs the store, so its CPU does not compete with the first answer
        (on two cores, Chroma's import slowed the model's load). ``database`` is the SQLite file it opens."""
        self._database = database
        self._open_store = open_store
        self._lock = threading.Lock()
        self._opening: Future[MemoryService] | None = None
        self._empty = not self._remembers_anything()
        if not self._empty:
            self._start()

    def _start(self) -> Future[MemoryService]:
        with self._lock:
            if self._opening is None:
                executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aris-memory-open")
                self._opening = executor.submit(self._open_store)
                executor.shutdown(wait=False)
            return self._opening

    def service(self) -> MemoryService:
        """The opened store (opening it now if nobody has asked yet, and waiting for it); raises what
        opening raised."""
        return self._start().result()

    def opened(self) -> MemoryService | None:
        """The store if its opening has started (waiting for it to finish); None while nothing has needed it."""
        with self._lock:
            opening = self._opening
        return opening.result() if opening is not None else None

    def intercept(self, user_text: str) -> str | None:
        """The reply to a memory command (which needs the store), or None without waiting for it."""
        if parse_command(user_text) is None:
            return None
        reply: str | None = self.service().intercept(user_text)
        return reply

    def is_command(self, user_text: str) -> bool:
        """Whether ``user_text`` is a memory command (decided without the store)."""
        return parse_command(user_text) is not None

    def recall(self, user_text: str) -> list[str]:
        """The store's recall, or nothing at once when nothing is remembered (and the store is still opening)."""
        if self._empty and (self._opening is None or not self._opening.done()):
            return []  # nothing was remembered when this process started, and nothing has opened since
        found: list[str] = self.service().recall(user_text)
        return found

    def learn(self, user_text: str, reply: str, message_id: str | None = None) -> object:
        """Learn from a finished turn (after waiting for the store)."""
        return self.service().learn(user_text, reply, message_id)

    def close(self) -> None:
        """Close the store once it has opened; one never opened or failing to has nothing to close."""
        if self._opening is None:
            return
        try:
            store = self._opening.result()
        except Exception:  # already reported to whoever needed the store; closing must not raise it again
            log.debug("Memory never opened; nothing to close", exc_info=True)
            return
        store.close()

    def _remembers_anything(self) -> bool:
        """Whether the database holds a memory recall could return, read without waiting for the opener;
        when unsure (a locked or damaged file), True: the opened store answers and reports errors."""
        if not self._database.exists():
            return False
        try:
            with sqlite3.connect(f"{self._database.resolve().as_uri()}?mode=ro", uri=True, timeout=1) as conn:
                count = conn.execute(f"SELECT count(*) FROM memories WHERE {LIVE_MEMORY}").fetchone()[0]
        except sqlite3.OperationalError as error:
            return "no such table" not in str(error)  # no table: a new database still being created
        except sqlite3.Error:
            return True
        return bool(count)
