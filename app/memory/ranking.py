"""Hybrid recall ranking: vector similarity and BM25 fused by reciprocal rank, plus pinned and recency boosts,
then cut to the few memories that are clearly about the question.

The cut matters as much as the order: the default language model has 135M parameters and, given several
unrelated facts, it mixes them up or invents a new one. So only memories close to the best match go in."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.storage.clock import parse_time
from app.storage.records import Memory


@dataclass(frozen=True)
class RankSettings:
    """How recall candidates are scored and cut."""

    limit: int = 3
    """Memories that go into the prompt; a tiny model does best with one to three."""
    candidates: int = 20
    """Hits taken from each of vector search and full-text search before fusion."""
    rrf_k: int = 60
    """Reciprocal-rank-fusion constant (the usual 60: later ranks still count, but less)."""
    max_term_docs: int = 1000
    """Full-text search ignores words found in this many memories or more (see MemoryRows.full_text)."""
    min_similarity: float = 0.30
    """Cosine similarity below which a memory is not about the question at all (MiniLM scale)."""
    margin: float = 0.15
    """Memories further than this below the best match are left out, however many slots are free."""
    pinned_boost: float = 0.010
    """Added to the fused score of a pinned memory (a first rank is worth about 0.016)."""
    recency_boost: float = 0.004
    """Added for a memory updated just now, halving every ``recency_half_life_days``."""
    recency_half_life_days: float = 90.0


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
    text_hits: Sequence[str],
    similarities: dict[str, float],
    memories: dict[str, Memory],
    *,
    settings: RankSettings,
    now: datetime | None = None,
) -> list[Ranked]:
    """Rank live memories found by either search, best first.

    Args:
        vector_hits: (id, cosine similarity) from the vector index, best first.
        text_hits: ids from full-text search, best (lowest BM25) first.
        similarities: cosine similarity of every candidate id (text-only hits included).
        memories: the candidate rows; ids missing here or not live are skipped (the index may lag).
        settings: weights and cut-offs.
        now: the time recency is measured from.
    """
    now = now or datetime.now(UTC)
    vector_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(vector_hits, start=1)}
    text_rank = {memory_id: rank for rank, memory_id in enumerate(text_hits, start=1)}
    ranked: list[Ranked] = []
    for memory_id in dict.fromkeys([*vector_rank, *text_rank]):
        memory = memories.get(memory_id)
        if memory is None or not memory.is_live:
            continue
        v, t = vector_rank.get(memory_id), text_rank.get(memory_id)
        score = sum(1.0 / (settings.rrf_k + rank) for rank in (v, t) if rank is not None)
        if memory.pinned:
            score += settings.pinned_boost
        age_days = max(0.0, (now - parse_time(memory.updated_at)).total_seconds() / 86400)
        score += settings.recency_boost * math.pow(0.5, age_days / settings.recency_half_life_days)
        ranked.append(Ranked(memory, score, similarities.get(memory_id, 0.0), v, t))
    ranked.sort(key=lambda r: r.score, reverse=True)
    return ranked


def relevant(ranked: Sequence[Ranked], settings: RankSettings) -> list[Ranked]:
    """The top memories that are about the question: similar enough, and not far behind the best match."""
    if not ranked:
        return []
    best = max(r.similarity for r in ranked)
    floor = max(settings.min_similarity, best - settings.margin)
    return [r for r in ranked if r.similarity >= floor][: settings.limit]
