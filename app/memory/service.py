"""Long-term memory as the rest of Aris sees it: a thin facade over the parts that do the work.

- :mod:`app.memory.store`: the store's CRUD and the hybrid search behind recall;
- :mod:`app.memory.spoken`: spoken commands and the replies to them;
- :mod:`app.memory.learning`: learning facts from finished turns;
- :mod:`app.memory.upkeep`: keeping the vector index in line with the database;
- :mod:`app.memory.transfer`: export and import.

``MemoryService`` is the pipeline's MemoryHook (intercept, recall, learn) and the API behind
``python main.py memory …``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.memory.commands import parse_command
from app.memory.decisions import Decision
from app.memory.embeddings import MiniLMEmbedder
from app.memory.extraction import FactExtractor, JsonCompleter
from app.memory.index_sync import IndexSyncReport
from app.memory.learning import Learner, statements_without_rule
from app.memory.ranking import Ranked, RankSettings
from app.memory.spoken import SpokenCommands
from app.memory.store import MemoryStore
from app.memory.transfer import ExportFile, ImportReport, export_document, import_memories, parse_export
from app.memory.upkeep import IndexKeeper
from app.memory.vector_index import VectorIndex
from app.paths import DataPaths
from app.storage.conversations import ConversationLog
from app.storage.database import node_clock, open_database
from app.storage.memory_rows import MemoryRows
from app.storage.records import Memory

log = logging.getLogger(__name__)

__all__ = ["ImportReport", "MemoryService", "MemorySettings", "statements_without_rule"]
_statements_without_rule = statements_without_rule  # the name older tests import


@dataclass(frozen=True)
class MemorySettings:
    """How memory behaves."""

    rank: RankSettings = field(default_factory=RankSettings)
    learn_with_model: bool = True
    """Ask the language model for facts the rules miss (costs about a second of CPU after the answer)."""


class MemoryService:
    """The user's long-term memory. Thread-safe: the voice turn and the background learner share it."""

    def __init__(
        self,
        paths: DataPaths,
        store: MemoryStore,
        *,
        extractor: FactExtractor | None = None,
        settings: MemorySettings | None = None,
    ) -> None:
        """Use :meth:`open`; this wires an already-open store."""
        self.paths = paths
        self.store = store
        self.settings = settings or MemorySettings()
        self.spoken = SpokenCommands(store)
        self.learner = Learner(store, extractor)
        self.startup: IndexSyncReport | None = None

    @classmethod
    def open(
        cls,
        paths: DataPaths,
        responder: JsonCompleter | None = None,
        *,
        embedder: MiniLMEmbedder | None = None,
        settings: MemorySettings | None = None,
        system_prompt: str | None = None,
    ) -> MemoryService:
        """Open the database and the index, repairing the index if it is behind, damaged or missing.

        Args:
            paths: the user's data folder.
            responder: the language model for learning; None learns with the rules only (the CLI).
            embedder: an already-loaded embedding model to share.
            settings: recall and learning settings.
            system_prompt: the assistant's system prompt, reused by fact extraction for llama.cpp's cache.

        Raises:
            StorageError: the database cannot be opened.
            ModelError: the embedding model is missing or damaged.
            VectorIndexError: the index folder cannot even be recreated.
        """
        db = open_database(paths.ensure().database)
        clock = node_clock(db)
        rows = MemoryRows(db, clock)
        embedder = embedder or MiniLMEmbedder.from_catalogue(paths.cache_dir)
        keeper, rebuilt = IndexKeeper.open(paths, rows, embedder)
        settings = settings or MemorySettings()
        extractor = (
            FactExtractor(responder, system_prompt) if responder and settings.learn_with_model else None
        )
        store = MemoryStore(rows, ConversationLog(db, clock), embedder, keeper, settings.rank)
        service = cls(paths, store, extractor=extractor, settings=settings)
        service.startup = keeper.repair(force_scan=rebuilt)
        return service

    # Parts other code and tests reach for ------------------------------------------------------------------
    @property
    def rows(self) -> MemoryRows:
        """The memories table."""
        return self.store.rows

    @property
    def index(self) -> VectorIndex | None:
        """This process's vector index (None while another process owns it)."""
        return self.store.keeper.index

    @property
    def conversations(self) -> ConversationLog:
        """The conversation log (forgetting erases the messages a memory came from)."""
        return self.store.conversations

    @property
    def embedder(self) -> MiniLMEmbedder:
        """The embedding model."""
        return self.store.embedder

    def close(self) -> None:
        """Release the database and the index."""
        with self.store.lock:
            self.store.keeper.close()
            self.store.rows.db.conn.close()

    def add_forget_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after anything is forgotten (the assistant clears its short-term history)."""
        self.store.add_forget_listener(callback)

    # The pipeline's hook ----------------------------------------------------------------------------------
    def intercept(self, user_text: str) -> str | None:
        """The spoken reply to an explicit memory command, or None for an ordinary turn."""
        return self.spoken.intercept(user_text)

    def is_command(self, user_text: str) -> bool:
        """Whether ``intercept`` would run ``user_text`` as a memory command (nothing is run here)."""
        return parse_command(user_text) is not None

    def recall(self, user_text: str) -> list[str]:
        """Memory texts for the prompt, most relevant first."""
        return self.store.recall(user_text)

    def learn(self, user_text: str, reply: str = "", message_id: str | None = None) -> list[Decision]:
        """Keep what the user's turn says about them (the assistant's words are not facts about the user)."""
        del reply
        return self.learner.learn(user_text, message_id)

    # The user's API ---------------------------------------------------------------------------------------
    def add(self, text: str, kind: str | None = None, *, pinned: bool = False) -> Decision:
        """Remember ``text``; a repeat of a stored memory is not stored twice (see MemoryStore.add)."""
        return self.store.add(text, kind, pinned=pinned)

    def memories(self, *, include_history: bool = False, limit: int | None = None) -> list[Memory]:
        """Live memories (pinned first, newest first); with history also superseded ones."""
        self.store.keeper.catch_up()
        return self.store.memories(include_history=include_history, limit=limit)

    def search(self, query: str, limit: int = 10) -> list[Ranked]:
        """Memories matching ``query`` by the same hybrid ranking as recall, without the prompt's cut."""
        return self.store.search(query, limit)

    def get(self, memory_id: str) -> Memory:
        """The memory with this id or unique id prefix (see MemoryStore.get)."""
        return self.store.get(memory_id)

    def edit(self, memory_id: str, text: str, kind: str | None = None) -> Memory:
        """Replace a memory's text (and kind); the old text stays as hidden history until forgotten."""
        return self.store.edit(memory_id, text, kind)

    def pin(self, memory_id: str, pinned: bool = True) -> Memory:
        """Pin (always preferred in recall) or unpin a memory."""
        return self.store.pin(memory_id, pinned)

    def forget(self, memory_id: str) -> Memory:
        """Forget one memory everywhere, with its history."""
        with self.store.lock:
            memory = self.store.get(memory_id)
            self.store.forget([memory])
            return memory

    def forget_matching(self, about: str) -> list[Memory]:
        """Forget the memories about ``about`` ("my car"); returns what was forgotten."""
        with self.store.lock:
            matches = self.store.matching(about)
            self.store.forget(matches)
            return matches

    def forget_all(self) -> int:
        """Forget every memory; returns how many."""
        return self.store.forget_all()

    def export_json(self) -> dict[str, Any]:
        """Every memory that is not forgotten (history included), as an export document."""
        with self.store.lock:
            return export_document(self.store.rows.memories(include_deleted=True))

    def import_json(self, document: ExportFile | dict[str, Any]) -> ImportReport:
        """Add the memories of an export in one transaction; ids or texts already here are skipped.

        Raises:
            MemoryImportError: ``document`` is not a valid export (nothing is written).
        """
        if not isinstance(document, ExportFile):
            document = parse_export(document)
        with self.store.lock:
            report = import_memories(self.store.rows, document)
            self.store.keeper.sync()
        return report

    def reindex(self) -> IndexSyncReport:
        """Rebuild the vector index from the database."""
        with self.store.lock:
            return self.store.keeper.reindex()

    # The old name of ``memories``, kept for callers on other branches; last, so no annotation reads it.
    list = memories
