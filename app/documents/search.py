"""Finding the passages that answer a question: full-text search (BM25) and vector search fused by rank, as
memory recall does (app/memory/ranking.py), then cut at a relevance threshold so that a question the
documents do not answer gets no passages rather than the least bad ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.documents.store import DocumentStore
from app.documents.vectors import Embedder, VectorMatrix
from app.memory.ranking import rank_fusion
from engine.documents import best_sentence_overlap

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchSettings:
    """How passages are found, ranked and cut."""

    candidates: int = 40
    """Hits taken from each of full-text and vector search before fusion."""
    rrf_k: float = 10.0
    """Reciprocal-rank fusion's offset, 1 / (k + rank); memory recall's value (see RankSettings.rrf_k)."""
    min_similarity: float = 0.40
    """Cosine similarity (MiniLM) of the best passage below which the documents are taken not to answer the
    question at all, and nothing is returned. On SQuAD's development articles (`bench docs`), 0.40 kept
    passages for 93 % of the questions the documents answer and returned none for 81 % of questions about
    articles that were not indexed; 0.35 kept 97 % and refused only 59 %."""
    margin: float = 0.2
    """Passages further than this below the best passage's similarity are left out."""
    sentence_weight: float = 0.1
    """The passages kept are put in order of fused score plus this much per question word that their closest
    sentence shares (``best_sentence_overlap``): the first passage is the one an answer reads out or cites
    first, and one sentence that matches the question says more about holding the answer than a passage
    that matches all over. On SQuAD's development articles the first passage held an annotator's answer for
    84.2 % of the answered questions against 81.4 % in fused order (0.05 gave 83.9 %, 0.3 gave 82.5 %)."""

    def __post_init__(self) -> None:
        if self.candidates < 1 or self.rrf_k <= 0:
            raise ValueError("candidates must be at least 1 and rrf_k positive")
        if not -1.0 <= self.min_similarity <= 1.0 or self.margin < 0:
            raise ValueError("min_similarity must be a cosine (-1 to 1) and margin not negative")


@dataclass(frozen=True)
class Passage:
    """A passage found for a question: where it is and how well it scored."""

    path: str
    page: int | None
    heading: str
    text: str
    score: float
    """Fused rank score, 0 (in no list) to 1 (first in both)."""
    similarity: float
    """Cosine similarity of the passage to the question."""


class DocumentSearch:
    """Hybrid search over a DocumentStore."""

    def __init__(
        self, store: DocumentStore, embedder: Embedder, settings: SearchSettings | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or SearchSettings()
        self._matrix = VectorMatrix()

    def _current_matrix(self) -> VectorMatrix:
        generation = self.store.generation()
        if not self._matrix.is_current(generation):
            self._matrix.load(generation, self.store.vectors())
        return self._matrix

    def ranked(self, question: str, limit: int = 5) -> list[Passage]:
        """The ``limit`` best passages for ``question``, best first, with no threshold applied."""
        settings = self.settings
        matrix = self._current_matrix()
        query = self.embedder.embed_one(question)
        vector_hits = matrix.nearest(query, settings.candidates)
        text_hits = self.store.full_text(question, settings.candidates)
        by_text = [str(i) for i, _ in text_hits]
        by_vector = [str(i) for i, _ in vector_hits]
        fused = {
            int(i): score
            for i, score in rank_fusion([(by_text, 1.0), (by_vector, 1.0)], settings.rrf_k).items()
        }
        best = sorted(fused, key=lambda i: fused[i], reverse=True)[:limit]
        similarity = dict(vector_hits)
        missing = [i for i in best if i not in similarity]
        similarity.update(matrix.similarities(query, sorted(missing)))
        rows = self.store.chunks(best)
        return [
            Passage(row.path, row.page, row.heading, row.text, fused[i], similarity.get(i, 0.0))
            for i in best
            if (row := rows.get(i)) is not None
        ]

    def search(self, question: str, limit: int = 5) -> list[Passage]:
        """The passages that answer ``question``, best first; none when the best is not close enough (see
        ``SearchSettings.min_similarity``)."""
        return self.relevant(question, self.ranked(question, limit))

    def relevant(self, question: str, ranked: list[Passage]) -> list[Passage]:
        """The passages of ``question``'s ranking that pass the relevance threshold and the margin behind the
        best, the one most likely to hold the answer first (see ``SearchSettings.sentence_weight``)."""
        if not ranked:
            return []
        best = max(p.similarity for p in ranked)
        if best < self.settings.min_similarity:
            return []
        floor = best - self.settings.margin
        kept = [p for p in ranked if p.similarity >= floor]
        weight = self.settings.sentence_weight
        if weight and len(kept) > 1:
            lift = {id(p): weight * best_sentence_overlap(question, p.text) for p in kept}
            kept.sort(key=lambda p: p.score + lift[id(p)], reverse=True)
        return kept
