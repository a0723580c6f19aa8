"""Hybrid recall ranking: vector similarity and BM25 combined by reciprocal-rank fusion (RRF), plus pinned,
recency and time-statement boosts, then cut to the memories that are clearly about the question, within a
token budget scaled to the language model's context.

Why ranks and not scores: a weighted sum of cosine similarity and best-relative BM25 won on the generated set
(`bench recall`) but fell below plain BM25 on a long real conversation (LoCoMo): there, one list is often
right and the other noise, and a sum of scores lets the noise outvote the right list, whose top scores sit
close together. RRF adds 1 / (k + rank) from each list: what one list puts at the top stays high however the
other list ranks it, and what both lists rank well goes first. Questions about time are no longer ranked by
meaning alone (their answers name the event the question names: "When did Caroline go to the support group?"
→ "…I went to a support group yesterday"); instead a memory that states a time ("yesterday", "last week", a
date) gets a small lift for them.

A third list joins the fusion with half weight: the second hop, the memories about the names in the best word
match that the question lacks ("My sister is called Rosa" → "Rosa lives in Lyon"), which two-part questions
need and neither search finds alone. With half weight a hop counts only where the vector search agrees, so a
name mentioned in passing does not bring in everything that person ever said.

In an imported conversation a line that mostly asks ("Is it a martial arts place or a yoga studio?") is
what a question matches best in both searches, yet it holds no answer: it keeps half of its own score and
passes all of it on to the reply after it (see ``asks``).

The cut matters as much as the order: the default language model has 135M parameters and, given several
unrelated facts, it mixes them up or invents a new one. So only memories close to the best match go in; a
larger model gets a larger budget and a looser cut (see ``RankSettings.for_context``)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
    candidates: int = 40
    """Hits taken from each of vector search and full-text search before fusion."""
    rrf_k: float = 10.0
    """RRF's rank offset: 1 / (rrf_k + rank). The textbook 60 flattens a list of 40 so much that agreement
    deep in both lists beats either list's clear first; 10 keeps the first of each list ahead."""
    hop_weight: float = 0.5
    """Weight of the second hop's list against 1 for each search (see the module's docstring)."""
    hop_hits: int = 5
    """How many memories the second hop takes."""
    hop_scan: int = 200
    """The second hop ranks only the newest this many memories with the names (all of them in a store where
    the names are rarer than that): ordering every match of two names found in 1,000 memories each took 2 ms
    at 100,000 memories, a fifth of recall."""
    time_statement_boost: float = 0.1
    """For a question about when: added (on the fused 0-1 scale) to a memory that states a time."""
    next_turn_share: float = 0.5
    """Share of a line of dialogue's fused score passed to the other speaker's line stored right after it in
    the same imported conversation (see ``MemoryRows.neighbours``): a question's answer follows it."""
    previous_turn_share: float = 0.25
    """The same for the turn right before it (what a reply answers)."""
    asking_share: float = 0.5
    """Share of its own fused score that a memory which mostly asks keeps (see ``asks``); what it passes on
    to the reply is not cut. A question matches a question best ("Is it a martial arts place?" for "What
    martial arts has John done?") but holds no answer: on LoCoMo such lines took top places from the
    answers, and halving them lifted recall@5 on held-out conversations as on the ones looked at."""
    speaker_boost: float = 0.5
    """A question naming one speaker ("What did Caroline research?") multiplies the fused score of what that
    speaker said ("Caroline: …") by 1 + this: people are asked about what they said themselves."""
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
    """Added to the fused score of a pinned memory (the fused score runs from 0, for no list, to 1, for
    first in both searches)."""
    recency_boost: float = 0.02
    """Added for a memory updated just now, halving every ``recency_half_life_days``."""
    recency_half_life_days: float = 90.0

    @classmethod
    def for_context(cls, context_tokens: int) -> RankSettings:
        """Settings for a language model with this context window: the built-in 135M model (2,048 tokens)
        keeps a few close facts; a larger window gets an eighth of it for memories, up to 1,024 tokens, and a
        looser cut, since a bigger model can ignore a memory that does not help."""
        if context_tokens <= SMALL_CONTEXT:
            return cls()
        budget = min(1024, context_tokens // 8)
        return cls(limit=budget // 20, prompt_tokens=budget, margin=0.3, candidates=max(30, budget // 20))


SMALL_CONTEXT = 2048
"""The context window of the built-in model, at or below which the prompt keeps the small memory budget."""


_TIME_WORDS = re.compile(
    r"\b(when|before|after|now|ago|since|first|last|latest|recently|earlier|later)\b", re.IGNORECASE
)
_WHEN = re.compile(r"\b(when|what (date|day|year|month|time)|how long)\b", re.IGNORECASE)
_MONTHS = r"january|february|march|april|(in|of|on|since) may|may \d|june|july|august|september|october|november|december"
_STATES_TIME = re.compile(
    r"\b(yesterday|today|tonight|tomorrow|ago|recently|lately|last|next|this (morning|week|weekend|month|year)|"
    rf"(mon|tues|wednes|thurs|fri|satur|sun)day|{_MONTHS}|(19|20)\d\d|since|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b[A-Z][\w'-]+")
_SPEAKER = re.compile(r"^([A-Z][\w'-]*(?: [A-Z][\w'-]*)?): ")
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


def asks_when(question: str) -> bool:
    """Whether ``question`` asks for a time ("When did…", "What year…"), not just mentions one."""
    return _WHEN.search(question) is not None


def states_time(text: str) -> bool:
    """Whether ``text`` says when something happened ("yesterday", "last week", "in May", "2022")."""
    return _STATES_TIME.search(text) is not None


_CAPTION = re.compile(r"\s*\[[^\]]*\]\s*$")
"""A shared photo's caption at the end of an imported line ("… [shares a photo of a beach]")."""
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def asks(text: str) -> bool:
    """Whether a memory mostly asks: at least half of what it says (after the speaker, without a photo
    caption) is questions ("Maria: Looks fun! What other classes have you done?"), not a statement with a
    question after it ("Caroline: I went to a support group yesterday. How about you?"), which still tells."""
    who = speaker_of(text)
    body = _CAPTION.sub("", text[len(who) + 2 :] if who else text).strip()
    if "?" not in body:
        return False
    asked = sum(len(part) for part in _SENTENCE.findall(body) if part.rstrip().endswith("?"))
    return 2 * asked >= len(body)


def speaker_of(text: str) -> str | None:
    """Who said a memory recorded as a line of conversation ("Caroline: I went…" → "Caroline"), else None."""
    match = _SPEAKER.match(text)
    return match.group(1) if match else None


def named_speakers(question: str, memories: Iterable[Memory]) -> set[str]:
    """The speakers of ``memories`` that ``question`` names, capitalised as a name ("Reminder: …" is not
    named by "what's my reminder?")."""
    words = set(re.findall(r"[\w'-]+", question))
    words |= {w[:-2] for w in words if w.endswith("'s")}
    found = {speaker_of(m.text) for m in memories}
    return {s for s in found if s is not None and all(part in words for part in s.split())}


def without_words(question: str, names: Iterable[str]) -> str:
    """``question`` without ``names`` (and their possessive), for a word search that should not rank the
    speaker's name above what was said."""
    for name in names:
        question = re.sub(rf"\b{re.escape(name)}(?:'s)?\b", " ", question, flags=re.IGNORECASE)
    return question


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


def rank_fusion(lists: Sequence[tuple[Sequence[str], float]], k: float) -> dict[str, float]:
    """Reciprocal-rank fusion: each id's sum over ``lists`` (ids best first, with a weight) of
    weight / (k + rank), scaled so that first place in lists of total weight 2 gives 1."""
    fused: dict[str, float] = {}
    for ids, weight in lists:
        for rank, memory_id in enumerate(dict.fromkeys(ids), start=1):
            fused[memory_id] = fused.get(memory_id, 0.0) + weight * (k + 1) / (2 * (k + rank))
    return fused


def fuse(
    vector_hits: Sequence[tuple[str, float]],
    text_hits: Sequence[tuple[str, float]],
    similarities: dict[str, float],
    memories: dict[str, Memory],
    *,
    settings: RankSettings,
    now: datetime | None = None,
    when_question: bool = False,
    hop_hits: Sequence[tuple[str, float]] = (),
    neighbours: Sequence[tuple[str, str, int]] = (),
    speaker: str | None = None,
) -> list[Ranked]:
    """Rank live memories found by either search (or by the second hop), best first.

    Args:
        vector_hits: (id, cosine similarity) from the vector index, best first.
        text_hits: (id, BM25) from full-text search, best first.
        similarities: cosine similarity of every candidate id (text-only hits included).
        memories: the candidate rows; ids missing here or not live are skipped (the index may lag).
        settings: weights and cut-offs.
        now: the time recency is measured from.
        when_question: the question asks when (``asks_when``): lift memories that state a time.
        hop_hits: the second hop's hits, best first (see the module's docstring).
        neighbours: (id, neighbour id, +1 after / -1 before) for turns of an imported conversation: a
            neighbour gets a share of the memory's score and counts as close to the question as it.
        speaker: the one speaker the question names: what they said is lifted.
    """
    now = now or datetime.now(UTC)
    vector_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(vector_hits, start=1)}
    text_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(text_hits, start=1)}
    fused = rank_fusion(
        [
            ([i for i, _ in text_hits], 1.0),
            ([i for i, _ in vector_hits], 1.0),
            ([i for i, _ in hop_hits], settings.hop_weight),
        ],
        settings.rrf_k,
    )
    similarities = dict(similarities)
    own = fused
    if neighbours:
        context = dict(fused)
        for memory_id, other, offset in neighbours:
            share = settings.next_turn_share if offset > 0 else settings.previous_turn_share
            context[other] = context.get(other, 0.0) + share * fused.get(memory_id, 0.0)
            closeness = similarities.get(memory_id, 0.0)
            similarities[other] = max(similarities.get(other, 0.0), closeness)
        fused = context
    ranked: list[Ranked] = []
    for memory_id, base in fused.items():
        memory = memories.get(memory_id)
        if memory is None or not memory.is_live:
            continue
        score = base
        if settings.asking_share != 1.0 and memory_id in own and asks(memory.text):
            score -= (1.0 - settings.asking_share) * own[memory_id]
        if speaker is not None and speaker_of(memory.text) == speaker:
            score *= 1.0 + settings.speaker_boost
        if memory.pinned:
            score += settings.pinned_boost
        if when_question and states_time(memory.text):
            score += settings.time_statement_boost
        age_days = max(0.0, (now - parse_time(memory.updated_at)).total_seconds() / 86400)
        score += settings.recency_boost * math.pow(0.5, age_days / settings.recency_half_life_days)
        similarity = similarities.get(memory_id, 0.0)
        ranked.append(Ranked(memory, score, similarity, vector_rank.get(memory_id), text_rank.get(memory_id)))
    ranked.sort(key=lambda r: r.score, reverse=True)
    return ranked


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
