"""Long-term memory: SQLite rows as the truth, a Chroma index for recall, learning from each user turn.

This is the pipeline's MemoryHook (intercept, recall, learn) and the API behind `python main.py memory …`.
Every write goes to SQLite first, in one transaction; the index then catches up from the change numbers, so a
crash between the two only costs a replay at the next start."""

from __future__ import annotations

import builtins
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.memory.commands import CommandKind, MemoryCommand, parse_command
from app.memory.decisions import Action, Decision, decide, decide_retraction
from app.memory.embeddings import MiniLMEmbedder
from app.memory.errors import IndexBusyError, MemoryInputError, MemoryNotFoundError, VectorIndexError
from app.memory.extraction import FactExtractor, JsonCompleter
from app.memory.index_sync import SyncReport, bring_up_to_date, open_index, rebuild
from app.memory.phrasing import to_second_person, to_third_person
from app.memory.ranking import Ranked, RankSettings, fuse, relevant
from app.memory.rules import (
    KINDS,
    Candidate,
    classify,
    extract_facts,
    extract_retractions,
    is_question,
    match_rule,
    split_sentences,
)
from app.memory.transfer import ExportFile, export_document, parse_export
from app.memory.vector_index import VectorIndex, embedding_text
from app.paths import DataPaths
from app.storage.clock import utc_now
from app.storage.conversations import ConversationLog
from app.storage.database import node_clock, open_database, write
from app.storage.memory_rows import MemoryRows
from app.storage.records import Memory

log = logging.getLogger(__name__)

RETRACTED = "retracted"
"""``superseded_by`` of a memory the user said no longer holds (there is no newer memory to point to)."""
MAX_TEXT = 2000
FORGET_SIMILARITY = 0.55
"""A forget request with no word-for-word match removes the closest memory only if it is at least this close."""
# Subject and possessive forms only: "me"/"us" mostly appear in requests ("tell me more"), which hold no
# facts and would cost a model run (and a retry) after every such turn.
_FIRST_PERSON = frozenset(
    [
        "i",
        "i'm",
        "im",
        "i've",
        "i'd",
        "i'll",
        "my",
        "mine",
        "we",
        "we're",
        "we've",
        "we'll",
        "we'd",
        "our",
        "ours",
    ]
)


@dataclass(frozen=True)
class MemorySettings:
    """How memory behaves."""

    rank: RankSettings = field(default_factory=RankSettings)
    learn_with_model: bool = True
    """Ask the language model for facts the rules miss (costs about a second of CPU after the answer)."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    added: int
    skipped: int


class MemoryService:
    """The user's long-term memory. Thread-safe: the voice turn and the background learner share it."""

    def __init__(
        self,
        paths: DataPaths,
        rows: MemoryRows,
        conversations: ConversationLog,
        embedder: MiniLMEmbedder,
        index: VectorIndex | None,
        *,
        extractor: FactExtractor | None = None,
        settings: MemorySettings | None = None,
    ) -> None:
        """Use :meth:`open`; this wires already-open parts."""
        self.paths = paths
        self.rows = rows
        self.conversations = conversations
        self.embedder = embedder
        self.index = index
        """None while another process (the running app) owns the index: search then uses SQLite alone."""
        self.extractor = extractor
        self.settings = settings or MemorySettings()
        self.startup: SyncReport | None = None
        self._database_id = rows.node_id
        self._lock = threading.RLock()
        self._forget_listeners: list[Callable[[], None]] = []
        self._awaiting_source: list[str] = []
        self._seen_seq = 0

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
        index: VectorIndex | None
        try:
            index, rebuilt = open_index(paths.chroma_dir, embedder)
        except IndexBusyError as error:
            log.warning("%s Searching by words only; that process keeps the index up to date.", error.message)
            index, rebuilt = None, False
        settings = settings or MemorySettings()
        extractor = (
            FactExtractor(responder, system_prompt) if responder and settings.learn_with_model else None
        )
        service = cls(
            paths, rows, ConversationLog(db, clock), embedder, index, extractor=extractor, settings=settings
        )
        service.startup = service._repair(force_scan=rebuilt)
        return service

    def close(self) -> None:
        """Release the database and the index."""
        with self._lock:
            if self.index is not None:
                self.index.close()
            self.rows.db.conn.close()

    def add_forget_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after anything is forgotten (the assistant clears its short-term history)."""
        self._forget_listeners.append(callback)

    # ---- the pipeline's hook -------------------------------------------------------------------------------

    def intercept(self, user_text: str) -> str | None:
        """The spoken reply to an explicit memory command, or None for an ordinary turn."""
        command = parse_command(user_text)
        if command is None:
            return None
        with self._lock:
            return self._run_command(command)

    def recall(self, user_text: str) -> list[str]:
        """Memory texts for the prompt, most relevant first (at most ``settings.rank.limit``)."""
        with self._lock:
            self._catch_up()
            try:
                ranked = self._ranked(user_text)
            except VectorIndexError as error:
                # The answer must not fail because derived data did: answer from full-text matches alone.
                log.warning("Recall without the vector index this turn: %s", error.message)
                found = self.rows.get_many(
                    [i for i, _ in self.rows.full_text(user_text, self.settings.rank.limit)]
                )
                return [m.text for m in found.values() if m.is_live][: self.settings.rank.limit]
        return [r.memory.text for r in relevant(ranked, self.settings.rank)]

    def learn(self, user_text: str, reply: str = "", message_id: str | None = None) -> list[Decision]:
        """Keep what the user's turn says about them; returns the decisions taken (NONE ones included)."""
        del reply  # the assistant's words are not facts about the user
        if not user_text.strip():
            return []
        if parse_command(user_text) is not None:
            # Handled by intercept() during the turn; now that the message is logged, link what it stored to
            # it, so forgetting the memory later also erases the message that said it.
            with self._lock:
                awaiting, self._awaiting_source = self._awaiting_source, []
                if message_id:
                    for memory_id in awaiting:
                        self.rows.update(memory_id, source_message_id=message_id)
            return []
        retractions = extract_retractions(user_text)
        candidates = extract_facts(user_text)
        unmatched = _statements_without_rule(user_text)
        if self.extractor is not None and unmatched and not retractions:
            result = self.extractor.extract(" ".join(unmatched))
            if result.rejected:
                log.info("Facts the model offered but that were not in the message: %s", result.rejected)
            candidates += [c for c in result.facts if all(c.text != known.text for known in candidates)]
        decisions: list[Decision] = []
        with self._lock:
            for retraction in retractions:
                decision = decide_retraction(
                    retraction, self._same_slot(retraction), self._similar(retraction.text)
                )
                decisions.append(self._apply(decision, message_id))
            for candidate in candidates:
                decision = decide(candidate, self._same_slot(candidate), self._similar(candidate.text))
                decisions.append(self._apply(decision, message_id))
        for decision in decisions:
            log.info("Learned %s: %s (%s)", decision.action, decision.candidate.text, decision.reason)
        return decisions

    # ---- the user's API --------------------------------------------------------------------------------------

    def add(self, text: str, kind: str | None = None, *, pinned: bool = False) -> Decision:
        """Remember ``text`` (first or third person); a repeat of a stored memory is not stored twice.

        Raises:
            MemoryInputError: empty or too long text, or an unknown kind.
        """
        candidate = self._candidate(text, kind)
        with self._lock:
            decision = decide(candidate, self._same_slot(candidate), self._similar(candidate.text))
            decision = self._apply(decision, None)
            if pinned and decision.stored is not None:
                self.pin(decision.stored.id, True)
                decision = dataclasses.replace(decision, stored=self.rows.get(decision.stored.id))
            return decision

    # Signatures below this method say builtins.list: type checkers would take `list` for the method.
    def list(self, *, include_history: bool = False, limit: int | None = None) -> list[Memory]:
        """Live memories (pinned first, newest first); with history also superseded ones."""
        with self._lock:
            found = self.rows.list(include_deleted=include_history, limit=limit)
        return [m for m in found if m.deleted_at is None]

    def search(self, query: str, limit: int = 10) -> builtins.list[Ranked]:
        """Memories matching ``query`` by the same hybrid ranking as recall, without the prompt's cut."""
        with self._lock:
            ranked = self._ranked(query, candidates=max(limit, self.settings.rank.candidates))
        floor = self.settings.rank.min_similarity
        return [r for r in ranked if r.similarity >= floor or r.text_rank is not None][:limit]

    def get(self, memory_id: str) -> Memory:
        """The memory with this id or unique id prefix (at least 4 characters).

        Raises:
            MemoryNotFoundError: no memory, or several, start with it.
        """
        with self._lock:
            return self._resolve(memory_id)

    def edit(self, memory_id: str, text: str, kind: str | None = None) -> Memory:
        """Replace a memory's text (and kind); the old text stays as hidden history."""
        with self._lock:
            old = self._resolve(memory_id, live=True)
            candidate = self._candidate(text, kind or old.kind)
            decision = self._apply(Decision(Action.UPDATE, candidate, (old,), "edited by the user"), None)
            assert decision.stored is not None
            return decision.stored

    def pin(self, memory_id: str, pinned: bool = True) -> Memory:
        """Pin (always preferred in recall) or unpin a memory."""
        with self._lock:
            memory = self._resolve(memory_id, live=True)
            updated = self.rows.update(memory.id, pinned=pinned)
            self._sync_index()
            assert updated is not None
            return updated

    def forget(self, memory_id: str) -> Memory:
        """Forget one memory everywhere (database, full-text index, vector index), with its history."""
        with self._lock:
            memory = self._resolve(memory_id)
            self._forget([memory])
            return memory

    def forget_matching(self, about: str) -> builtins.list[Memory]:
        """Forget the memories about ``about`` ("my car"); returns what was forgotten."""
        with self._lock:
            matches = self._matching(about)
            self._forget(matches)
            return matches

    def forget_all(self) -> int:
        """Forget every memory; returns how many."""
        with self._lock:
            memories = self.rows.list(include_deleted=True)
            self._forget([m for m in memories if m.deleted_at is None])
            return len([m for m in memories if m.is_live])

    def export_json(self) -> dict[str, Any]:
        """Every memory that is not forgotten (history included), as an export document."""
        with self._lock:
            return export_document(self.rows.list(include_deleted=True))

    def import_json(self, document: ExportFile | dict[str, Any]) -> ImportReport:
        """Add the memories of an export in one transaction; ids or texts already here are skipped.

        Raises:
            MemoryImportError: ``document`` is not a valid export (nothing is written).
        """
        if not isinstance(document, ExportFile):
            document = parse_export(document)
        with self._lock:
            live_texts = {m.text.lower() for m in self.rows.list()}
            added = skipped = 0
            with write(self.rows.db, "import the memories"):
                for item in document.memories:
                    is_live = item.superseded_by is None
                    existing = self.rows.get(item.id)
                    if existing is not None and existing.deleted_at is not None:
                        # Forgotten here, and now explicitly restored from a backup by the user.
                        self.rows.update(
                            item.id,
                            text=item.text,
                            kind=item.kind,
                            pinned=item.pinned,
                            slot=item.slot,
                            deleted_at=None,
                            superseded_by=item.superseded_by,
                            superseded_at=item.superseded_at,
                        )
                        live_texts.add(item.text.lower())
                        added += 1
                        continue
                    if existing is not None or (is_live and item.text.lower() in live_texts):
                        skipped += 1
                        continue
                    self.rows.insert(
                        item.text,
                        item.kind,
                        pinned=item.pinned,
                        slot=item.slot,
                        source_message_id=item.source_message_id,
                        memory_id=item.id,
                        created_at=item.created_at,
                        updated_at=item.updated_at,
                        superseded_by=item.superseded_by,
                        superseded_at=item.superseded_at,
                    )
                    live_texts.add(item.text.lower())
                    added += 1
            self._sync_index()
            return ImportReport(added, skipped)

    def reindex(self) -> SyncReport:
        """Rebuild the vector index from the database."""
        with self._lock:
            if self.index is None:
                raise IndexBusyError(
                    "The memory index is in use by the running Aris app; close it, then run reindex again."
                )
            started = time.perf_counter()
            self.index = rebuild(
                self.rows, self.paths.chroma_dir, self.embedder, self._database_id, self.index
            )
            return SyncReport("rebuilt", added=self.index.count(), seconds=time.perf_counter() - started)

    # ---- commands --------------------------------------------------------------------------------------------

    def _run_command(self, command: MemoryCommand) -> str:
        if command.kind is CommandKind.REMEMBER:
            return self._remember(command.body)
        if command.kind is CommandKind.FORGET:
            forgotten = self._matching(command.body)
            if not forgotten:
                return f"I don't have anything about {_spoken(command.body)} to forget."
            self._forget(forgotten)
            # The reply does not repeat what was forgotten: it stays in the session's history and the
            # model would read the fact back from there.
            count = len(forgotten)
            return "OK, I've forgotten that." if count == 1 else f"OK, I've forgotten those {count} things."
        if command.kind is CommandKind.FORGET_ALL:
            count = self.forget_all()
            if count == 0:
                return "I don't have any memories to forget."
            return f"OK, I've forgotten everything you told me ({count} thing{'s' if count > 1 else ''})."
        return self._describe(command.body)

    def _remember(self, body: str) -> str:
        retractions = extract_retractions(body)
        if retractions:
            decision = decide_retraction(
                retractions[0], self._same_slot(retractions[0]), self._similar(retractions[0].text)
            )
            self._apply(decision, None)
            if decision.action is Action.DELETE:
                return f"OK, I'll remember that it's no longer true that {to_second_person(decision.candidate.text)}."
        try:
            candidate = self._candidate(body, None)
        except MemoryInputError as error:
            return error.message
        decision = self._apply(
            decide(candidate, self._same_slot(candidate), self._similar(candidate.text)), None
        )
        if decision.stored is not None:
            self._awaiting_source.append(decision.stored.id)
        said = to_second_person(candidate.text)
        if decision.action is Action.NONE:
            return f"I already know that {said}."
        if decision.action is Action.UPDATE:
            return f"Got it, I've updated that: {said}."
        return f"OK, I'll remember that {said}."

    def _describe(self, topic: str) -> str:
        if topic:
            found = self.search(topic, limit=5)
            best = max((r.similarity for r in found), default=0.0)
            floor = max(self.settings.rank.min_similarity, best - self.settings.rank.margin)
            # Memories that name the topic are the answer; closeness in meaning only stands in when none do
            # ("Samantha" is near "my sister" for MiniLM).
            named = [r.memory for r in found if r.text_rank is not None]
            memories = named or [r.memory for r in found if r.similarity >= floor]
            if not memories:
                return f"I don't know anything about {_spoken(topic)} yet."
        else:
            memories = self.rows.list(limit=6)
            if not memories:
                return "I don't know anything about you yet. Tell me, and I'll remember."
        shown = [to_second_person(m.text) for m in memories[:5]]
        total = len(memories) if topic else self.rows.live_count()
        text = "Here's what I know: " + "; ".join(shown) + "."
        if total > len(shown):
            more = total - len(shown)
            text += f" And {more} more thing{'s' if more > 1 else ''}."
        return text

    # ---- internals -------------------------------------------------------------------------------------------

    def _candidate(self, text: str, kind: str | None) -> Candidate:
        clean = " ".join(text.split()).strip()
        if not clean:
            raise MemoryInputError("There is nothing to remember: the text is empty.")
        if len(clean) > MAX_TEXT:
            raise MemoryInputError(
                f"That is too long to remember ({len(clean)} characters; at most {MAX_TEXT})."
            )
        if kind is not None and kind not in KINDS:
            raise MemoryInputError(f"Unknown kind '{kind}', expected one of: {', '.join(KINDS)}.")
        first_clause = split_sentences(clean)
        ruled = match_rule(clean.rstrip(".!")) if len(first_clause) == 1 else None
        candidate = ruled or classify(to_third_person(clean), kind or "note", "user")
        if kind is not None and candidate.kind != kind:
            candidate = Candidate(candidate.text, kind, candidate.slot, candidate.value, "user")
        return Candidate(candidate.text, candidate.kind, candidate.slot, candidate.value, "user")

    def _same_slot(self, candidate: Candidate) -> builtins.list[Memory]:
        return self.rows.live_with_slot(candidate.slot) if candidate.slot else []

    def _similar(self, text: str, limit: int = 5) -> builtins.list[tuple[Memory, float]]:
        hits = self._vector_hits(self.embedder.embed_one(embedding_text(text)), limit)
        found = self.rows.get_many([memory_id for memory_id, _ in hits])
        return [(found[i], s) for i, s in hits if i in found and found[i].is_live]

    def _vector_hits(self, vector: np.ndarray, limit: int) -> builtins.list[tuple[str, float]]:
        if self.index is None:
            return []
        try:
            return [(hit.id, hit.similarity) for hit in self.index.query(vector, limit)]
        except VectorIndexError as error:
            log.info("Memory index failed (%s); rebuilding it from the database", error)
            index = self._recover_index()
            return [(hit.id, hit.similarity) for hit in index.query(vector, limit)]

    def _ranked(self, query: str, candidates: int | None = None) -> builtins.list[Ranked]:
        if not query.strip():
            return []
        n = candidates or self.settings.rank.candidates
        vector = self.embedder.embed_one(query)
        vector_hits = self._vector_hits(vector, n)
        text_hits = [
            memory_id
            for memory_id, _ in self.rows.full_text(query, n, max_term_docs=self.settings.rank.max_term_docs)
        ]
        similarities = dict(vector_hits)
        missing = [memory_id for memory_id in text_hits if memory_id not in similarities]
        stored = self.index.vectors(missing) if self.index is not None else {}
        for memory_id, other in stored.items():
            similarities[memory_id] = float(np.dot(other, vector))
        if self.index is None:
            # Without vectors, a word match stands in for closeness, so the relevance cut keeps it.
            similarities.update((memory_id, 1.0) for memory_id in text_hits)
        memories = self.rows.get_many(list(dict.fromkeys([*similarities, *text_hits])))
        return fuse(vector_hits, text_hits, similarities, memories, settings=self.settings.rank)

    def _matching(self, about: str) -> builtins.list[Memory]:
        query = to_third_person(about)
        ids = [memory_id for memory_id, _ in self.rows.full_text(query, 50, every_word=True)]
        if ids:
            found = self.rows.get_many(ids)
            return [found[i] for i in ids if i in found and found[i].is_live]
        similar = self._similar(query, limit=1)
        return [memory for memory, s in similar if s >= FORGET_SIMILARITY]

    def _forget(self, memories: builtins.list[Memory]) -> None:
        if not memories:
            return
        sources: list[str] = []
        with write(self.rows.db, "forget the memory"):
            for memory in memories:
                for memory_id in [memory.id, *self.rows.superseded_chain(memory.id)]:
                    old = self.rows.get(memory_id)
                    if old is not None and old.deleted_at is None:
                        if old.source_message_id:
                            sources.append(old.source_message_id)
                        self.rows.tombstone(memory_id)
        # The exchange a forgotten fact was learned from would bring it back through message search.
        self.conversations.redact([i for source in sources for i in self.conversations.exchange(source)])
        self._sync_index()
        for listener in self._forget_listeners:
            listener()

    def _apply(self, decision: Decision, message_id: str | None) -> Decision:
        c = decision.candidate
        if decision.action is Action.NONE:
            return decision
        now = utc_now()
        new: Memory | None = None
        with write(self.rows.db, "save the memory"):
            if decision.action is Action.DELETE:
                for target in decision.targets:
                    self.rows.update(target.id, superseded_by=RETRACTED, superseded_at=now)
            else:
                # A pinned fact stays pinned when a newer version replaces it.
                pinned = decision.action is Action.UPDATE and any(t.pinned for t in decision.targets)
                new = self.rows.insert(
                    c.text, c.kind, slot=c.slot, source_message_id=message_id, pinned=pinned
                )
                for target in decision.targets if decision.action is Action.UPDATE else ():
                    self.rows.update(target.id, superseded_by=new.id, superseded_at=now)
        self._sync_index()
        return dataclasses.replace(decision, stored=new)

    def _resolve(self, memory_id: str, *, live: bool = False) -> Memory:
        key = memory_id.strip()
        memory = self.rows.get(key)
        if memory is None and len(key) >= 4:
            matches = self.rows.db.execute(
                "SELECT id FROM memories WHERE id LIKE ? AND deleted_at IS NULL LIMIT 2", [key + "%"]
            ).fetchall()
            if len(matches) > 1:
                raise MemoryNotFoundError(f"More than one memory id starts with '{key}'; give more of it.")
            memory = self.rows.get(matches[0][0]) if matches else None
        if memory is None or memory.deleted_at is not None:
            raise MemoryNotFoundError(
                f"No memory has the id '{key}'. See the ids with: python main.py memory list"
            )
        if live and not memory.is_live:
            raise MemoryNotFoundError(f"Memory '{key}' was replaced by a newer one ({memory.superseded_by}).")
        return memory

    def _sync_index(self) -> None:
        if self.index is None:
            return
        try:
            bring_up_to_date(self.rows, self.index, self._database_id)
        except VectorIndexError as error:
            log.info("Memory index failed while updating (%s); rebuilding it from the database", error)
            self._recover_index()
        self._seen_seq = self.rows.max_seq()

    def _catch_up(self) -> None:
        """Index what other processes (the CLI, sync) wrote since this one last looked: one indexed lookup."""
        if self.index is not None and self.rows.max_seq() != self._seen_seq:
            self._sync_index()

    def _repair(self, *, force_scan: bool) -> SyncReport:
        if self.index is None:
            return SyncReport("busy")
        try:
            report = bring_up_to_date(self.rows, self.index, self._database_id, force_scan=force_scan)
        except VectorIndexError as error:
            log.info("Memory index failed its start-up check (%s); rebuilding it from the database", error)
            index = self._recover_index()
            return SyncReport("rebuilt", added=index.count())
        finally:
            self._seen_seq = self.rows.max_seq()
        return SyncReport("rebuilt", report.added, report.removed, report.seconds) if force_scan else report

    def _recover_index(self) -> VectorIndex:
        self.index = rebuild(self.rows, self.paths.chroma_dir, self.embedder, self._database_id, self.index)
        return self.index


def _statements_without_rule(text: str) -> list[str]:
    """First-person statements that no rule understood: what the language model is asked about."""
    left: list[str] = []
    for part in split_sentences(text):
        words = set(part.lower().replace(",", " ").split())
        if is_question(part) or not words & _FIRST_PERSON or len(words) < 3:
            continue
        if extract_facts(part) or extract_retractions(part):
            continue
        left.append(part)
    return left


def _spoken(phrase: str) -> str:
    """The user's words about themselves as Aris says them back ("my car" -> "your car")."""
    return to_second_person(to_third_person(phrase)).rstrip(".")
