"""`bench recall --locomo PATH`: evidence recall on a long-conversation benchmark nobody here wrote.

Each conversation is imported into a fresh store through the same code as `memory import` (every turn a
memory: "Speaker: text", dated by its session), then every question goes through the assistant's recall. A
question scores the share of its evidence turns found in the top k (recall@k) of the fused ranking and of
each of its components alone (BM25, vector), and the share that reaches the prompt under the memory budget
of the built-in model and of a downloaded one. Overall figures cover categories 1-4; category 5
(adversarial: the question's premise is false) is scored on the turn it twists and reported apart."""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.bench.locomo_format import CATEGORIES, LocomoConversation, export_document, read_locomo, select
from app.memory.embeddings import MiniLMEmbedder
from app.memory.ranking import RankSettings
from app.memory.service import MemoryService, MemorySettings
from app.memory.store import MemoryStore
from app.paths import DataPaths

KS = (1, 5, 10)
RANKINGS = ("fused", "bm25", "vector")
OVERALL = "all"
"""Categories 1-4; adversarial questions (5) are reported on their own line only."""
BUDGETS = {"built-in": 2048, "downloaded": 4096}
"""Context windows whose memory budgets are measured: the built-in 135M model's and a downloaded model's."""


def ranked_ids(store: MemoryStore, ranking: str, question: str, k: int) -> list[str]:
    """Memory ids, best first, by the fused ranking recall uses or by one of its components alone."""
    if ranking == "fused":
        return [r.memory.id for r in store.ranked(question, candidates=max(k, store.rank.candidates))][:k]
    if ranking == "bm25":
        return [i for i, _ in store.rows.full_text(question, k, max_term_docs=store.rank.max_term_docs)]
    return [i for i, _ in store.keeper.nearest(store.embedder.embed_one(question), k)]


@dataclass
class _Tally:
    """Running sums of recall@k per ranking and group, of evidence reaching the prompt, and latencies."""

    groups: list[str] = field(default_factory=lambda: [*(str(c) for c in CATEGORIES), OVERALL])
    sums: dict[str, dict[str, dict[int, float]]] = field(default_factory=dict)
    prompt: dict[str, dict[str, float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    largest_store: int = 0

    def __post_init__(self) -> None:
        self.sums = {name: {g: dict.fromkeys(KS, 0.0) for g in self.groups} for name in RANKINGS}
        self.prompt = {budget: dict.fromkeys(self.groups, 0.0) for budget in BUDGETS}
        self.counts = dict.fromkeys(self.groups, 0)


def _score(
    store: MemoryStore, conversation: LocomoConversation, dia_of: dict[str, set[str]], tally: _Tally
) -> None:
    """Ask every question of one imported conversation and add up what was found."""
    budgets = {name: RankSettings.for_context(size) for name, size in BUDGETS.items()}
    dia_of_text = {m.text: dia_of[m.id] for m in store.rows.memories() if m.id in dia_of}
    tally.largest_store = max(tally.largest_store, store.rows.live_count())
    for question in conversation.questions:
        evidence = set(question.evidence)
        keys = [str(question.category)] + ([OVERALL] if question.category != 5 else [])
        for key in keys:
            tally.counts[key] += 1
        store.rank = budgets["built-in"]
        for name in RANKINGS:
            found = [dia_of.get(i, set()) for i in ranked_ids(store, name, question.text, max(KS))]
            for k in KS:
                share = len(evidence & set().union(*found[:k])) / len(evidence)
                for key in keys:
                    tally.sums[name][key][k] += share
        for budget, rank in budgets.items():
            store.rank = rank
            t0 = time.perf_counter()
            recalled = store.recall(question.text)
            if budget == "built-in":
                tally.latencies.append((time.perf_counter() - t0) * 1000)
            reached = set().union(*(dia_of_text.get(t, set()) for t in recalled))
            for key in keys:
                tally.prompt[budget][key] += len(evidence & reached) / len(evidence)


def run_locomo_bench(
    paths: DataPaths, locomo: Path, *, as_json: bool, conversations: str | None = None
) -> dict[str, object]:
    """Score every question of the file (or of the ``conversations`` named, comma-separated sample ids);
    prints the figures (JSON or a table) and returns them.

    Raises:
        MemoryImportError: the file is missing or not in LoCoMo's format, or an id names no conversation.
    """
    chosen = select(read_locomo(locomo), conversations)
    embedder = MiniLMEmbedder.from_catalogue(paths.cache_dir)
    tally = _Tally()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-locomo-", dir=paths.ensure().cache_dir))
    try:
        for conversation in chosen:
            service, dia_of = _imported(work / conversation.id, conversation, embedder)
            try:
                _score(service.store, conversation, dia_of, tally)
            finally:
                service.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = _figures(tally, locomo, [c.id for c in chosen], time.perf_counter() - started)
    if as_json:
        print(json.dumps(figures, indent=2))
    else:
        _print_table(figures)
    return figures


def _figures(tally: _Tally, locomo: Path, conversations: list[str], seconds: float) -> dict[str, object]:
    counts, groups = tally.counts, tally.groups
    latencies = sorted(tally.latencies)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))] if latencies else None
    return {
        "file": locomo.name,
        "conversations": len(conversations),
        "conversation_ids": conversations,
        "largest_store": tally.largest_store,
        "categories": {str(c): name for c, name in CATEGORIES.items()},
        "overall_covers": "categories 1-4; 5 (adversarial) is scored on the turn it twists, apart",
        "questions": counts,
        "recall": {
            name: {
                g: {f"@{k}": round(tally.sums[name][g][k] / max(counts[g], 1), 4) for k in KS} for g in groups
            }
            for name in RANKINGS
        },
        "prompt_evidence_share": {
            budget: {
                "context_tokens": BUDGETS[budget],
                "memory_tokens": RankSettings.for_context(BUDGETS[budget]).prompt_tokens,
                **{g: round(tally.prompt[budget][g] / max(counts[g], 1), 4) for g in groups},
            }
            for budget in BUDGETS
        },
        "recall_ms": {
            "p50": round(statistics.median(latencies), 2) if latencies else None,
            "p95": round(p95, 2) if p95 is not None else None,
        },
        "seconds": round(seconds, 1),
    }


def _imported(
    folder: Path, conversation: LocomoConversation, embedder: MiniLMEmbedder
) -> tuple[MemoryService, dict[str, set[str]]]:
    """A fresh store holding the conversation, imported as `memory import` does; memory id -> dialogue id,
    with a turn whose text repeats an earlier one (skipped by the import) credited to that earlier memory."""
    data = DataPaths(folder).ensure()
    settings = MemorySettings(rank=RankSettings.for_context(BUDGETS["built-in"]), learn_with_model=False)
    service = MemoryService.open(data, embedder=embedder, settings=settings)
    document, dia_of = export_document(conversation)
    service.import_json(document)
    live = {m.text.lower(): m.id for m in service.store.rows.memories()}
    texts = {m["id"]: m["text"].lower() for m in document["memories"]}
    turns: dict[str, set[str]] = {}
    for memory_id, dia_id in dia_of.items():
        turns.setdefault(live[texts[memory_id]], set()).add(dia_id)
    return service, turns


def _print_table(figures: dict[str, object]) -> None:
    recall = figures["recall"]
    prompt = figures["prompt_evidence_share"]
    latency = figures["recall_ms"]
    counts = figures["questions"]
    ids = figures["conversation_ids"]
    assert isinstance(recall, dict) and isinstance(prompt, dict)
    assert isinstance(latency, dict) and isinstance(counts, dict) and isinstance(ids, list)
    out: Callable[[str], object] = sys.stdout.write
    out(
        f"{figures['file']}: {figures['conversations']} conversations "
        f"({', '.join(ids)}), up to {figures['largest_store']} "
        f"memories each; overall = {figures['overall_covers']}\n"
    )
    out(f"{'category':<16} {'n':>4}  {'ranking':<7} {'@1':>6} {'@5':>6} {'@10':>6}\n")
    for group in [*(str(c) for c in CATEGORIES), OVERALL]:
        label = f"{group} {CATEGORIES[int(group)]}" if group != OVERALL else "overall (1-4)"
        for name in RANKINGS:
            at = recall[name][group]
            out(
                f"{label:<16} {counts[group]:>4}  {name:<7} {at['@1']:>6.3f} {at['@5']:>6.3f} {at['@10']:>6.3f}\n"
            )
            label = ""
    for budget, share in prompt.items():
        out(
            f"evidence reaching the prompt, {budget} model ({share['context_tokens']}-token context, "
            f"{share['memory_tokens']} for memories): {share[OVERALL]:.3f}\n"
        )
    out(f"recall latency: p50 {latency['p50']} ms, p95 {latency['p95']} ms ({figures['seconds']} s in all)\n")
