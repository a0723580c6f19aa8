"""Hybrid recall ranking: vector similarity and BM25 fused by a weighted sum of their normalised scores, plus
pinned and recency boosts, then cut to the memories that are clearly about the question, within a token budget.

Reciprocal-rank fusion threw the scores away and came out below its better half at top 1 on the evaluation
(`bench recall`); the weighted sum of cosine similarity and best-relative BM25 beats both halves at 1, 5 and 10.

Two paths on top of the sum, both measured on that evaluation (and checked on another seed of it):

- questions about time ("when", "before", "now"…) are ranked by meaning alone: the answer rarely repeats the
  question's words, and the word matches it does draw are distractors ("Wendell lives in Porto now" for
  "Where did I live before I moved to Porto?");
- other questions take a second hop: the names in the best word match lead to the memories about them ("My
  sister is called Rosa" → "Rosa lives in Lyon now"; the best by BM25 of the newest ``hop_scan`` that name
  them), which two-part questions need and neither search finds alone; when one of those the question found
  too, the pair is confirmed and the match moves up.

The cut matters as much as the order: the default language model has 135M parameters and, given several
unrelated facts, it mixes them up or invents a new one. So only memories close to the best match go in."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from app.storage.clock import parse_time
from app.storage.fts import STOPWORDS
from app.storage.records import Memory


@dataclass(frozen=True)
class RankSettings:
    """How recall candidates are scored and cut."""

    limit: int = 8
    """At most this many memories go into the prompt (the token budget usually stops sooner)."""
    prompt_tokens: int = 80
    """Room for memories in the prompt, in tokens (about 4 characters each): a tiny model does best with a
    few short facts; a larger model's settings can raise it."""
    candidates: int = 20
    """Hits taken from each of vector search and full-text search before fusion."""
    vector_weight: float = 0.5
    """Weight of cosine similarity against best-relative BM25 (1 - this) in the fused score (tuned on
    `bench recall`: 0.4-0.6 all beat both halves)."""
    time_vector_weight: float = 1.0
    """``vector_weight`` for questions about time (see ``about_time``): on `bench recall` their word matches
    only pulled in distractors, so meaning alone ranks them."""
    hop_decay: float = 0.9
    """A memory reached through the names in the best word match scores this share of that match's score."""
    hop_hits: int = 5
    """How many memories the second hop takes."""
    hop_scan: int = 200
    """The second hop ranks only the newest this many memories with the names (all of them in a store where
    the names are rarer than that): ordering every match of two names found in 1,000 memories each took 2 ms
    at 100,000 memories, a fifth of recall."""
    hop_confirm: float = 0.1
    """Added to the best word match's score, times the score of the best memory its names lead to that the
    question itself also found: the two together answer a two-part question."""
    max_term_docs: int = 1000
    """Full-text search ignores words found in this many memories or more (see MemoryRows.full_text)."""
    min_similarity: float = 0.30
    """Cosine similarity below which a memory is not about the question at all (MiniLM scale)."""
    impersonal_min_similarity: float = 0.45
    """``min_similarity`` for a question that names neither the user nor anyone ("Which ocean is the
    largest?"): "Tom lives near the sea" came in at 0.30 and slowed the answer by ~20 prompt tokens without
    helping it, while memories such a question does need score 0.55-0.86 ("What's the wifi password?")."""
    margin: float = 0.15
    """Memories further than this below the best match are left out, however many slots are free."""
    pinned_boost: float = 0.1
    """Added to the fused score of a pinned memory (the fused score runs from 0 to 1)."""
    recency_boost: float = 0.02
    """Added for a memory updated just now, halving every ``recency_half_life_days``."""
    recency_half_life_days: float = 90.0


_TIME_WORDS = re.compile(
    r"\b(when|before|after|now|ago|since|first|last|latest|recently|earlier|later)\b", re.IGNORECASE
)
_NAME = re.compile(r"\b[A-Z][\w'-]+")
_PERSONAL = re.compile(r"\b(i|i'm|i've|me|my|mine|myself|we|us|our|ours|you|your|yours)\b", re.IGNORECASE)


def is_personal(question: str) -> bool:
    """Whether ``question`` mentions the user (I, my, you…) or someone by name (a capitalised word after the
    first): every question of `bench recall` does; "Which ocean is the largest?" does not."""
    return _PERSONAL.search(question) is not None or any(
        match.start() > 0 and match.group(0) != "I" for match in _NAME.finditer(question.strip())
    )


def about_time(question: str) -> bool:
    """Whether ``question`` asks about when something happened or what holds now."""
    return _TIME_WORDS.search(question) is not None


def linked_names(text: str, question: str) -> list[str]:
    """The names in ``text`` that ``question`` does not contain: capitalised words other than common ones
    ("Rosa" in "My sister is called Rosa." and in "Rosa lives in Lyon now.")."""
    asked = question.lower()
    names = []
    for match in _NAME.finditer(text):
        word = match.group(0)
        if word != "I" and word.lower() not in STOPWORDS and word.lower() not in asked:
            names.append(word)
    return list(dict.fromkeys(names))


def estimated_tokens(text: str) -> int:
    """A cheap token count for budgeting the prompt (English averages about 4 characters a token)."""
    return len(text) // 4 + 1


@dataclass(frozen=True)
class Ranked:
    """One recalled memory with how it scored."""

    memory: Memory
    score: float
    similarity: float
    vector_rank: int | None
    text_rank: int | None


def fuse(
    vector_hits: Sequence[tuple[str, float]],
    text_hits: Sequence[tuple[str, float]],
    similarities: dict[str, float],
    memories: dict[str, Memory],
    *,
    settings: RankSettings,
    now: datetime | None = None,
    time_question: bool = False,
) -> list[Ranked]:
    """Rank live memories found by either search, best first.

    Args:
        vector_hits: (id, cosine similarity) from the vector index, best first.
        text_hits: (id, BM25) from full-text search, best (lowest, most negative BM25) first.
        similarities: cosine similarity of every candidate id (text-only hits included).
        memories: the candidate rows; ids missing here or not live are skipped (the index may lag).
        settings: weights and cut-offs.
        now: the time recency is measured from.
        time_question: the question is about time (``about_time``): weigh meaning by
            ``settings.time_vector_weight``.
    """
    now = now or datetime.now(UTC)
    vector_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(vector_hits, start=1)}
    text_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(text_hits, start=1)}
    # BM25 relative to the best hit: 1 for the best word match, falling towards 0; 0 for no word match.
    best_bm25 = min((score for _, score in text_hits), default=0.0)
    words = {i: score / best_bm25 if best_bm25 < 0 else 0.0 for i, score in text_hits}
    weight = settings.time_vector_weight if time_question else settings.vector_weight
    ranked: list[Ranked] = []
    for memory_id in dict.fromkeys([*vector_rank, *text_rank]):
        memory = memories.get(memory_id)
        if memory is None or not memory.is_live:
            continue
        similarity = similarities.get(memory_id, 0.0)
        score = weight * similarity + (1.0 - weight) * words.get(memory_id, 0.0)
        if memory.pinned:
            score += settings.pinned_boost
        age_days = max(0.0, (now - parse_time(memory.updated_at)).total_seconds() / 86400)
        score += settings.recency_boost * math.pow(0.5, age_days / settings.recency_half_life_days)
        ranked.append(Ranked(memory, score, similarity, vector_rank.get(memory_id), text_rank.get(memory_id)))
    ranked.sort(key=lambda r: r.score, reverse=True)
    return ranked


def add_hops(
    ranked: Sequence[Ranked],
    parent: Ranked,
    hops: Sequence[tuple[str, float]],
    memories: dict[str, Memory],
    similarities: dict[str, float],
    *,
    settings: RankSettings,
) -> list[Ranked]:
    """``ranked`` with the memories reached from ``parent`` through its names (``hops``, best first), each
    scoring a decaying share of the parent's score unless it already scored higher. A reached memory counts
    as close to the question as its parent (for the prompt's cut)."""
    by_id = {r.memory.id: r for r in ranked}
    confirmed = 0.0
    for place, (memory_id, _) in enumerate(hops):
        if memory_id == parent.memory.id:
            continue
        score = parent.score * (settings.hop_decay - 0.01 * place)
        current = by_id.get(memory_id)
        if current is not None:
            confirmed = max(confirmed, current.score)
            if score > current.score:
                similarity = max(current.similarity, parent.similarity)
                by_id[memory_id] = replace(current, score=score, similarity=similarity)
            continue
        memory = memories.get(memory_id)
        if memory is not None and memory.is_live:
            similarity = max(similarities.get(memory_id, 0.0), parent.similarity)
            by_id[memory_id] = Ranked(memory, score, similarity, None, None)
    if confirmed:
        by_id[parent.memory.id] = replace(parent, score=parent.score + settings.hop_confirm * confirmed)
    return sorted(by_id.values(), key=lambda r: r.score, reverse=True)


def relevant(ranked: Sequence[Ranked], settings: RankSettings, question: str = "") -> list[Ranked]:
    """The top memories that are about the question (similar enough, not far behind the best match), as many
    as fit the prompt's token budget (the first always goes in); an impersonal ``question`` (see
    ``is_personal``) needs a closer match."""
    if not ranked:
        return []
    best = max(r.similarity for r in ranked)
    least = (
        settings.min_similarity
        if not question or is_personal(question)
        else settings.impersonal_min_similarity
    )
    floor = max(least, best - settings.margin)
    chosen: list[Ranked] = []
    spent = 0
    for r in ranked:
        if r.similarity < floor:
            continue
        cost = estimated_tokens(r.memory.text)
        if chosen and (spent + cost > settings.prompt_tokens or len(chosen) >= settings.limit):
            break
        chosen.append(r)
        spent += cost
    return chosen
