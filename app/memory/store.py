"""The store's CRUD: adding, finding, editing, pinning and forgetting memories, and the hybrid search behind
recall. Every write goes to SQLite first, in one transaction; the index then catches up from the change
numbers, so a crash between the two only costs a replay at the next start."""

from __future__ import annotations

import dataclasses
import logging
import threading
import unicodedata
from collections.abc import Callable

from app.memory.decisions import Action, Decision, decide
from app.memory.embeddings import MiniLMEmbedder
from app.memory.errors import MemoryInputError, MemoryNotFoundError, VectorIndexError
from app.memory.phrasing import to_third_person
from app.memory.ranking import (
    Ranked,
    RankSettings,
    asks_when,
    fuse,
    linked_names,
    named_speakers,
    relevant,
    speaker_of,
    without_words,
)
from app.memory.rules import KINDS, Candidate, classify, match_rule, split_sentences
from app.memory.upkeep import IndexKeeper
from app.memory.vector_index import embedding_text
from app.storage.clock import utc_now
from app.storage.conversations import ConversationLog
from app.storage.database import write
from app.storage.fts import content_words
from app.storage.memory_rows import MemoryRows
from app.storage.records import Memory

log = logging.getLogger(__name__)

RETRACTED = "retracted"
"""``superseded_by`` of a memory the user said no longer holds (there is no newer memory to point to)."""
MAX_TEXT = 2000
MIN_PREFIX = 4
"""The shortest id prefix accepted for a memory (shorter ones match too much by accident)."""
INDEXLESS_CANDIDATES = 20
"""Word matches compared by meaning when another process owns the vector index (see MemoryStore.similar)."""
FORGET_SIMILARITY = 0.55
"""A forget request with no word-for-word match removes the closest memory only if it is at least this close."""


class MemoryStore:
    """Memories as the user manages them. Thread-safe: the voice turn and the background learner share it."""

    def __init__(
        self,
        rows: MemoryRows,
        conversations: ConversationLog,
        embedder: MiniLMEmbedder,
        keeper: IndexKeeper,
        rank: RankSettings,
    ) -> None:
        """Wire already-open parts."""
        self.rows = rows
        self.conversations = conversations
        self.embedder = embedder
        self.keeper = keeper
        self.rank = rank
        self.lock = threading.RLock()
        self._forget_listeners: list[Callable[[], None]] = []

    def add_forget_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after anything is forgotten (the assistant clears its short-term history)."""
        self._forget_listeners.append(callback)

    # Reads -------------------------------------------------------------------------------------------------
    def memories(self, *, include_history: bool = False, limit: int | None = None) -> list[Memory]:
        """Live memories (pinned first, newest first); with history also superseded ones."""
        if limit is not None:
            check_limit(limit)
        with self.lock:
            found = self.rows.memories(include_deleted=include_history, limit=limit)
        return [m for m in found if m.deleted_at is None]

    def get(self, memory_id: str, *, live: bool = False) -> Memory:
        """The memory with this id or unique id prefix (at least ``MIN_PREFIX`` characters), compared literally.

        Raises:
            MemoryNotFoundError: no memory starts with it, several do (they are listed), or, with ``live``, it
                was replaced by a newer one.
        """
        key = memory_id.strip()
        with self.lock:
            memory = self.rows.get(key) if key else None
            if memory is None and len(key) >= MIN_PREFIX:
                matches = self.rows.with_id_prefix(key, limit=6)
                if len(matches) > 1:
                    listed = ", ".join(m.id for m in matches[:5]) + (", …" if len(matches) > 5 else "")
                    raise MemoryNotFoundError(
                        f"More than one memory id starts with '{key}' ({listed}); give more of it."
                    )
                memory = matches[0] if matches else None
        if memory is None or memory.deleted_at is not None:
            short = " (an id prefix needs at least 4 characters)" if len(key) < MIN_PREFIX else ""
            raise MemoryNotFoundError(
                f"No memory has the id '{key}'{short}. See the ids with: python main.py memory list"
            )
        if live and not memory.is_live:
            raise MemoryNotFoundError(f"Memory '{key}' was replaced by a newer one ({memory.superseded_by}).")
        return memory

    def search(self, query: str, limit: int = 10) -> list[Ranked]:
        """Memories matching ``query`` by the same hybrid ranking as recall, without the prompt's cut."""
        check_limit(limit)
        with self.lock:
            self.keeper.catch_up()
            ranked = self.ranked(query, candidates=max(limit, self.rank.candidates))
        floor = self.rank.min_similarity
        return [r for r in ranked if r.similarity >= floor or r.text_rank is not None][:limit]

    def recall(self, user_text: str) -> list[str]:
        """Memory texts for the prompt, most relevant first (at most ``rank.limit``)."""
        with self.lock:
            self.keeper.catch_up()
            try:
                ranked = self.ranked(user_text)
            except VectorIndexError as error:
                # The answer must not fail because derived data did: answer from full-text matches alone.
                log.warning("Recall without the vector index this turn: %s", error.message)
                found = self.rows.get_many([i for i, _ in self.rows.full_text(user_text, self.rank.limit)])
                return [m.text for m in found.values() if m.is_live][: self.rank.limit]
        return [r.memory.text for r in relevant(ranked, self.rank, user_text)]

    def ranked(self, query: str, candidates: int | None = None) -> list[Ranked]:
        """Vector and full-text hits for ``query``, the second hop's memories and the turns around them,
        fused (see ranking.fuse).

        A name in the question that is the speaker of found memories ("Caroline: …") is a field, not a word:
        both searches run again without it (else the shortest lines naming or said by that person win, "See
        you, Caroline!", "Nate: Bye!") and what that person said is lifted instead."""
        if not query.strip():
            return []
        n = candidates or self.rank.candidates
        text_hits = self.rows.full_text(query, n, max_term_docs=self.rank.max_term_docs)
        memories = self.rows.get_many([i for i, _ in text_hits])
        speakers = named_speakers(query, memories.values())
        vector_hits: list[tuple[str, float]] = []
        if not speakers:
            # The word search finds a named speaker's lines by the name; a name too common for it to search
            # (see max_term_docs) may still be found among the lines closest in meaning.
            vector = self.embedder.embed_one(query)
            vector_hits = self.keeper.nearest(vector, n)
            memories.update(self.rows.get_many([i for i, _ in vector_hits if i not in memories]))
            speakers = named_speakers(query, memories.values())
        similarities = dict(vector_hits)
        if speakers:
            unnamed = without_words(query, speakers)
            # A question left with no word found but the name would rank that speaker's lines shortest
            # first ("Nate: Bye!"): no word list then; only a question of nothing but the name keeps it.
            if content_words(unnamed):
                text_hits = self.rows.full_text(unnamed, n, max_term_docs=self.rank.max_term_docs)
            # The same for meaning: with the name in it, the question's vector is closest to the shortest
            # lines of that speaker ("Nate: See ya!" for "What state did Nate visit?").
            vector = self.embedder.embed_one(unnamed)
            vector_hits = self.keeper.nearest(vector, n)
            similarities = dict(vector_hits)
            found = [i for i, _ in [*text_hits, *vector_hits] if i not in memories]
            memories.update(self.rows.get_many(found))
        hops = self._hop_targets(query, text_hits, memories)
        neighbours = self.rows.neighbours(list(memories))
        memories.update(self.rows.get_many([o for _, o, _ in neighbours if o not in memories]))
        # Only a line of dialogue and the other speaker's line next to it are question and answer; notes
        # stored together in one import are not each other's context.
        neighbours = [
            (i, o, offset)
            for i, o, offset in neighbours
            if i in memories and o in memories and _is_reply(memories[i].text, memories[o].text)
        ]
        # One read of stored vectors for the word matches, first-pass or second-hop, the vector search missed
        # (a neighbouring line counts as close as the line it answers: no read for it).
        unscored = [i for i in dict.fromkeys(i for i, _ in [*text_hits, *hops]) if i not in similarities]
        for memory_id, other in self.keeper.vectors(unscored).items():
            similarities[memory_id] = float(other @ vector)
        if self.keeper.index is None:
            # Without vectors, a word match stands in for closeness, so the relevance cut keeps it.
            similarities.update((memory_id, 1.0) for memory_id, _ in text_hits)
        return fuse(
            vector_hits,
            text_hits,
            similarities,
            memories,
            settings=self.rank,
            when_question=asks_when(query),
            hop_hits=hops,
            neighbours=neighbours,
            speaker=next(iter(speakers)) if len(speakers) == 1 else None,
        )

    def _hop_targets(
        self, query: str, text_hits: list[tuple[str, float]], memories: dict[str, Memory]
    ) -> list[tuple[str, float]]:
        """The second hop's full-text hits: the memories about the names in the best word match that the
        question lacks (none if it has none); adds their rows to ``memories``."""
        parent = memories.get(text_hits[0][0]) if text_hits else None
        if parent is None or not parent.is_live:
            return []
        # Who said a line is not what it is about: "Melanie: …" does not lead to everything Melanie said.
        speaker = speaker_of(parent.text)
        names = linked_names(parent.text[len(speaker) + 2 :] if speaker else parent.text, query)
        if not names:
            return []
        hops = self.rows.full_text(" ".join(names), self.rank.hop_hits, scan=self.rank.hop_scan)
        memories.update(self.rows.get_many([i for i, _ in hops if i not in memories]))
        return hops

    def matching(self, about: str) -> list[Memory]:
        """The live memories about ``about`` ("my car"): every word matches, else the one closest in meaning."""
        query = to_third_person(about)
        with self.lock:
            self.keeper.catch_up()
            ids = [memory_id for memory_id, _ in self.rows.full_text(query, 50, every_word=True)]
            if ids:
                found = self.rows.get_many(ids)
                return [found[i] for i in ids if i in found and found[i].is_live]
            similar = self.similar(query, limit=1)
        return [memory for memory, s in similar if s >= FORGET_SIMILARITY]

    def similar(self, text: str, limit: int = 5) -> list[tuple[Memory, float]]:
        """Live memories closest in meaning to ``text``, with their similarity.

        Without the index (another process owns it) the closest are sought among the word matches, embedded
        here: the duplicate check must not depend on which process holds the index ("… 9083" then "… 9083!"
        was stored twice while the app ran and once without it)."""
        vector = self.embedder.embed_one(embedding_text(text))
        if self.keeper.index is None:
            ids = [memory_id for memory_id, _ in self.rows.full_text(text, INDEXLESS_CANDIDATES)]
            live = [m for m in self.rows.get_many(ids).values() if m.is_live]
            if not live:
                return []
            vectors = self.embedder.embed([embedding_text(m.text) for m in live])
            scored = [(m, float(v @ vector)) for m, v in zip(live, vectors, strict=True)]
            return sorted(scored, key=lambda pair: pair[1], reverse=True)[:limit]
        hits = self.keeper.nearest(vector, limit)
        found = self.rows.get_many([memory_id for memory_id, _ in hits])
        return [(found[i], s) for i, s in hits if i in found and found[i].is_live]

    # Writes ------------------------------------------------------------------------------------------------
    def add(self, text: str, kind: str | None = None, *, pinned: bool = False) -> Decision:
        """Remember ``text`` (first or third person); a repeat of a stored memory is not stored twice.

        Raises:
            MemoryInputError: empty or too long text, or an unknown kind.
        """
        candidate = self.candidate(text, kind)
        with self.lock:
            decision = self.decide_and_apply(candidate, None)
            if pinned and decision.stored is not None:
                stored = self.rows.update(decision.stored.id, pinned=True)
                self.keeper.sync()
                decision = dataclasses.replace(decision, stored=stored)
            return decision

    def edit(self, memory_id: str, text: str, kind: str | None = None) -> Memory:
        """Replace a memory's text (and kind); the old text stays as hidden history."""
        with self.lock:
            old = self.get(memory_id, live=True)
            candidate = self.candidate(text, kind or old.kind)
            decision = self.apply(Decision(Action.UPDATE, candidate, (old,), "edited by the user"), None)
            assert decision.stored is not None
            return decision.stored

    def pin(self, memory_id: str, pinned: bool = True) -> Memory:
        """Pin (always preferred in recall) or unpin a memory."""
        with self.lock:
            memory = self.get(memory_id, live=True)
            updated = self.rows.update(memory.id, pinned=pinned)
            self.keeper.sync()
            assert updated is not None
            return updated

    def forget(self, memories: list[Memory]) -> None:
        """Forget ``memories`` everywhere (database, full-text index, vector index), with their history and
        the messages they were learned from."""
        if not memories:
            return
        with self.lock:
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
            self.keeper.sync()
            self.rows.scrub()
        for listener in self._forget_listeners:
            listener()

    def forget_all(self) -> int:
        """Forget every memory; returns how many live ones there were."""
        with self.lock:
            memories = self.rows.memories(include_deleted=True)
            self.forget([m for m in memories if m.deleted_at is None])
            return len([m for m in memories if m.is_live])

    def link_source(self, text: str, message_id: str) -> None:
        """Record that the live memory reading ``text``, stored without a source, came from ``message_id``
        (a spoken "remember that …" is stored before its message is logged)."""
        with self.lock:
            for memory in self.rows.live_with_text(text):
                if memory.source_message_id is None:
                    self.rows.update(memory.id, source_message_id=message_id)

    # Deciding ----------------------------------------------------------------------------------------------
    def candidate(self, text: str, kind: str | None) -> Candidate:
        """``text`` as a memory to store, in the third person, with its kind and slot.

        Raises:
            MemoryInputError: empty or too long text, or an unknown kind.
        """
        problem = control_character(text)
        if problem:
            raise MemoryInputError(f"The text contains {problem}; remove it and try again.")
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
        return Candidate(candidate.text, kind or candidate.kind, candidate.slot, candidate.value, "user")

    def same_slot(self, candidate: Candidate) -> list[Memory]:
        """Live memories about the same thing as ``candidate`` (read from SQLite, whoever wrote them)."""
        return self.rows.live_with_slot(candidate.slot) if candidate.slot else []

    def decide_and_apply(self, candidate: Candidate, message_id: str | None) -> Decision:
        """Store ``candidate`` as new, as an update of what it contradicts, or not at all if already known.

        The checks read SQLite inside the write transaction (BEGIN IMMEDIATE), so two processes adding the same
        fact at once store it once, whichever of them owns the vector index."""
        with self.lock, write(self.rows.db, "save the memory"):
            self.keeper.catch_up()
            repeats = self.rows.live_with_text(candidate.text)
            if repeats:
                return Decision(Action.NONE, candidate, tuple(repeats), "already remembered")
            decision = decide(candidate, self.same_slot(candidate), self.similar(candidate.text))
            return self.apply(decision, message_id)

    def apply(self, decision: Decision, message_id: str | None) -> Decision:
        """Carry out ``decision`` in one transaction; returns it with the stored memory."""
        c = decision.candidate
        if decision.action is Action.NONE:
            return decision
        now = utc_now()
        new: Memory | None = None
        with self.lock:
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
            self.keeper.sync()
        return dataclasses.replace(decision, stored=new)


def _is_reply(text: str, other: str) -> bool:
    """Whether two lines are said by two different speakers ("Theo: …" and "Nora: …")."""
    speaker, other_speaker = speaker_of(text), speaker_of(other)
    return speaker is not None and other_speaker is not None and speaker != other_speaker


def check_limit(limit: int) -> None:
    """Refuse a count of results below one (a negative SQL LIMIT would mean "all", a slice "all but")."""
    if limit < 1:
        raise MemoryInputError(f"The limit must be 1 or more (got {limit}).")


def control_character(text: str) -> str | None:
    """A description of the first control character in ``text`` (tabs and line breaks are fine), or None.

    A NUL or an escape sequence stored in a memory would be printed raw to the terminal and the prompt."""
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in "\t\n\r":
            return f"a control character (U+{ord(char):04X})"
    return None
