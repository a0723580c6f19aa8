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
from pathlib import Path

from app.memory.embeddings import MiniLMEmbedder
from app.memory.locomo import CATEGORIES, Conversation, export_document, read_locomo
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


def run_locomo_bench(paths: DataPaths, locomo: Path, *, as_json: bool) -> dict[str, object]:
    """Score every question of the file; prints the figures (JSON or a table) and returns them.

    Raises:
        MemoryImportError: the file is missing or not in LoCoMo's format.
    """
    chosen = read_locomo(locomo)
    embedder = MiniLMEmbedder.from_catalogue(paths.cache_dir)
    groups = [*(str(c) for c in CATEGORIES), OVERALL]
    sums = {name: {g: {k: 0.0 for k in KS} for g in groups} for name in RANKINGS}
    prompt = {budget: {g: 0.0 for g in groups} for budget in BUDGETS}
    counts = dict.fromkeys(groups, 0)
    latencies: list[float] = []
    memories = 0
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-locomo-", dir=paths.ensure().cache_dir))
    try:
        for conversation in chosen:
            service, dia_of = _imported(work / conversation.id, conversation, embedder)
            store = service.store
            memories = max(memories, store.rows.live_count())
            budgets = {name: RankSettings.for_context(size) for name, size in BUDGETS.items()}
            dia_of_text = {m.text: dia_of[m.id] for m in store.rows.memories() if m.id in dia_of}
            try:
                for question in conversation.questions:
                    evidence = set(question.evidence)
                    keys = [str(question.category)] + ([OVERALL] if question.category != 5 else [])
                    for key in keys:
                        counts[key] += 1
                    store.rank = budgets["built-in"]
                    for name in RANKINGS:
                        found = [dia_of.get(i, set()) for i in ranked_ids(store, name, question.text, max(KS))]
                        for k in KS:
                            share = len(evidence & set().union(*found[:k])) / len(evidence)
                            for key in keys:
                                sums[name][key][k] += share
                    for budget, rank in budgets.items():
                        store.rank = rank
                        t0 = time.perf_counter()
                        recalled = store.recall(question.text)
                        if budget == "built-in":
                            latencies.append((time.perf_counter() - t0) * 1000)
                        reached = set().union(*(dia_of_text.get(t, set()) for t in recalled))
                        share = len(evidence & reached) / len(evidence)
                        for key in keys:
                            prompt[budget][key] += share
            finally:
                service.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    latencies.sort()
    figures: dict[str, object] = {
        "file": locomo.name,
        "conversations": len(chosen),
        "largest_store": memories,
        "categories": {str(c): name for c, name in CATEGORIES.items()},
        "overall_covers": "categories 1-4; 5 (adversarial) is scored on the turn it twists, apart",
        "questions": counts,
        "recall": {
            name: {g: {f"@{k}": round(sums[name][g][k] / max(counts[g], 1), 4) for k in KS} for g in groups}
            for name in RANKINGS
        },
        "prompt_evidence_share": {
            budget: {
                "context_tokens": BUDGETS[budget],
                "memory_tokens": RankSettings.for_context(BUDGETS[budget]).prompt_tokens,
                **{g: round(prompt[budget][g] / max(counts[g], 1), 4) for g in groups},
            }
            for budget in BUDGETS
        },
        "recall_ms": {
            "p50": round(statistics.median(latencies), 2) if latencies else None,
            "p95": round(latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))], 2)
            if latencies
            else None,
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    if as_json:
        print(json.dumps(figures, indent=2))
    else:
        _print_table(figures)
    return figures


def _imported(
    folder: Path, conversation: Conversation, embedder: MiniLMEmbedder
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
    assert isinstance(recall, dict) and isinstance(prompt, dict)
    assert isinstance(latency, dict) and isinstance(counts, dict)
    out: Callable[[str], object] = sys.stdout.write
    out(
        f"{figures['file']}: {figures['conversations']} conversations, up to {figures['largest_store']} "
        f"memories each; overall = {figures['overall_covers']}\n"
    )
    out(f"{'category':<16} {'n':>4}  {'ranking':<7} {'@1':>6} {'@5':>6} {'@10':>6}\n")
    for group in [*(str(c) for c in CATEGORIES), OVERALL]:
        label = f"{group} {CATEGORIES[int(group)]}" if group != OVERALL else "overall (1-4)"
        for name in RANKINGS:
            at = recall[name][group]
            out(f"{label:<16} {counts[group]:>4}  {name:<7} {at['@1']:>6.3f} {at['@5']:>6.3f} {at['@10']:>6.3f}\n")
            label = ""
    for budget, share in prompt.items():
        out(
            f"evidence reaching the prompt, {budget} model ({share['context_tokens']}-token context, "
            f"{share['memory_tokens']} for memories): {share[OVERALL]:.3f}\n"
        )
    out(f"recall latency: p50 {latency['p50']} ms, p95 {latency['p95']} ms ({figures['seconds']} s in all)\n")

