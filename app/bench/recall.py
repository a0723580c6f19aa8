"""`bench recall`: recall@1/5/10 on the generated evaluation (app.bench.recall_set), for the fused ranking
and for each of its two components alone, overall and per kind of question.

Each conversation gets a fresh store in a temporary folder holding one memory per user turn (dated by its
session); a question scores the share of its evidence turns found in the top k."""

from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.bench.recall_set import KINDS, GeneratedConversation, conversations
from app.memory.embeddings import MiniLMEmbedder
from app.memory.ranking import RankSettings
from app.memory.store import MemoryStore
from app.memory.upkeep import IndexKeeper
from app.paths import DataPaths
from app.storage.conversations import ConversationLog
from app.storage.database import node_clock, open_database, write
from app.storage.memory_rows import MemoryRows

log = logging.getLogger(__name__)

KS = (1, 5, 10)
RANKINGS = ("fused", "full_text", "vector")


@dataclass(frozen=True)
class Ranker:
    """The three rankings over one conversation's store, each returning memory ids best first."""

    store: MemoryStore

    def fused(self, question: str, k: int) -> list[str]:
        """What recall and search use."""
        return [r.memory.id for r in self.store.ranked(question)][:k]

    def full_text(self, question: str, k: int) -> list[str]:
        """BM25 alone."""
        rank = self.store.rank
        return [i for i, _ in self.store.rows.full_text(question, k, max_term_docs=rank.max_term_docs)]

    def vector(self, question: str, k: int) -> list[str]:
        """Embedding similarity alone."""
        return [i for i, _ in self.store.keeper.nearest(self.store.embedder.embed_one(question), k)]


def run_recall_bench(
    paths: DataPaths, *, as_json: bool, count: int | None = None, rank: RankSettings | None = None
) -> dict[str, object]:
    """Score every question of the evaluation (or of its first ``count`` conversations); prints the figures
    (JSON or a table) and returns them."""
    embedder = MiniLMEmbedder.from_catalogue(paths.cache_dir)
    rank = rank or RankSettings()
    sums = {name: {kind: {k: 0.0 for k in KS} for kind in (*KINDS, "all")} for name in RANKINGS}
    counts = {kind: 0 for kind in (*KINDS, "all")}
    prompt_cover = 0.0
    chosen = conversations(count=count) if count else conversations()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-recall-", dir=paths.ensure().cache_dir))
    try:
        for conversation in chosen:
            store, turn_of = _store(work / conversation.id, conversation, embedder, rank)
            ranker = Ranker(store)
            for question in conversation.questions:
                evidence = set(question.evidence)
                for name in RANKINGS:
                    found = [turn_of.get(i) for i in getattr(ranker, name)(question.text, max(KS))]
                    for k in KS:
                        share = len(evidence & set(found[:k])) / len(evidence)
                        sums[name][question.kind][k] += share
                        sums[name]["all"][k] += share
                counts[question.kind] += 1
                counts["all"] += 1
                recalled = store.recall(question.text)
                by_text = {t.text: t.id for t in conversation.turns if t.id in evidence}
                prompt_cover += len({by_text[x] for x in recalled if x in by_text}) / len(evidence)
            store.keeper.close()
            store.rows.db.conn.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures: dict[str, object] = {
        "conversations": len(chosen),
        "questions": dict(counts),
        "recall": {
            name: {
                kind: {f"@{k}": round(sums[name][kind][k] / max(counts[kind], 1), 4) for k in KS}
                for kind in (*KINDS, "all")
            }
            for name in RANKINGS
        },
        "prompt_evidence_share": round(prompt_cover / max(counts["all"], 1), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if as_json:
        print(json.dumps(figures, indent=2))
    else:
        _print_table(figures)
    return figures


def _store(
    folder: Path, conversation: GeneratedConversation, embedder: MiniLMEmbedder, rank: RankSettings
) -> tuple[MemoryStore, dict[str, str]]:
    """A store holding the conversation's turns as memories; returns it and memory id -> turn id."""
    data = DataPaths(folder).ensure()
    db = open_database(data.database)
    clock = node_clock(db)
    rows = MemoryRows(db, clock)
    turn_of: dict[str, str] = {}
    with write(db, "load the evaluation"):
        for turn in conversation.turns:
            day = f"{turn.day.isoformat()}T12:00:00.000+00:00"
            memory = rows.insert(turn.text, "note", created_at=day, updated_at=day)
            turn_of[memory.id] = turn.id
    keeper, _ = IndexKeeper.open(data, rows, embedder)
    keeper.repair(force_scan=True)
    store = MemoryStore(rows, ConversationLog(db, clock), embedder, keeper, rank)
    return store, turn_of


def _print_table(figures: dict[str, object]) -> None:
    recall = figures["recall"]
    assert isinstance(recall, dict)
    out: Callable[[str], object] = sys.stdout.write
    out(f"{'ranking':<10} {'kind':<9} {'@1':>7} {'@5':>7} {'@10':>7}\n")
    for name, kinds in recall.items():
        for kind, at in kinds.items():
            out(f"{name:<10} {kind:<9} {at['@1']:>7.3f} {at['@5']:>7.3f} {at['@10']:>7.3f}\n")
    out(
        f"questions: {figures['questions']}; evidence reaching the prompt: {figures['prompt_evidence_share']}\n"
    )
