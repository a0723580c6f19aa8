"""`bench memory`: fill a fresh store with many memories and measure insert throughput, recall latency
(query embedding included) and start-up (the index check) at that size.

Targets on the 2-core reference machine at 100,000: recall p95 <= 15 ms, the start-up check <= 1 s, forgetting
one memory <= 200 ms."""

from __future__ import annotations

import json
import logging
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from app.memory.embeddings import MiniLMEmbedder
from app.memory.index_sync import open_index
from app.memory.service import MemoryService
from app.memory.vector_index import embedding_text
from app.paths import DataPaths
from app.storage.database import node_clock, open_database
from app.storage.memory_rows import MemoryRows

log = logging.getLogger(__name__)

BATCH = 2000
"""Memories per SQLite transaction, embedding call and Chroma write."""


@dataclass(frozen=True)
class MemoryBenchResult:
    """The figures `bench memory` reports (seconds unless the name says otherwise)."""

    count: int
    insert_seconds: float
    inserts_per_second: float
    sqlite_seconds: float
    embed_seconds: float
    chroma_seconds: float
    startup_seconds: float
    """Opening the database and the index and checking that they agree (embedding model already loaded)."""
    startup_check_seconds: float
    """The check alone: change numbers and counts compared."""
    startup_mode: str
    recall_queries: int
    recall_p50_ms: float
    recall_p95_ms: float
    recall_max_ms: float
    first_recall_ms: float
    forget_median_ms: float
    """Forgetting one memory, erasure included (FTS5 secure-delete, WAL checkpoint, the vector blanked in Chroma's
    memory, HNSW file and log): median of 5."""
    forget_max_ms: float
    targets_met: bool


def _items(text: str, sep: str | None = None) -> list[str]:
    """A word list written as text (easier to read and extend than a list literal)."""
    return text.split(sep)


_NAMES = _items(
    "Alice Ben Carla David Emma Farid Grace Hiro Ines Jonas Kemal Lena Marco Nadia Oscar Priya Quentin Rosa "
    "Sven Tariq Uma Victor Wen Ximena Yusuf Zoe Aiko Bruno Chloe Diego Elif Felix Greta Hamid Ivy Jamal Kira"
)
_RELATIONS = _items(
    "sister brother mother father wife husband partner son daughter cousin aunt uncle friend neighbour boss "
    "colleague grandmother grandfather niece nephew roommate"
)
_CITIES = _items(
    "Lisbon Berlin Paris Madrid Rome Vienna Prague Oslo Dublin Athens Warsaw Tokyo Seoul Boston Chicago Denver "
    "Toronto Montreal Sydney Melbourne Nairobi Cairo Lima Bogota Mumbai Delhi Istanbul Krakow Porto Seville"
)
_FOODS = _items(
    "sushi|olives|mushrooms|spicy curry|dark chocolate|blue cheese|oysters|pineapple pizza|falafel|ramen|"
    "tacos|lentil soup|pancakes|avocado toast|green tea|black coffee|mango lassi|apple pie|dumplings",
    "|",
)
_ACTIVITIES = _items(
    "plays tennis|goes swimming|practises yoga|goes climbing|plays chess|sings in a choir|runs five kilometres|"
    "bakes bread|paints watercolours|plays the piano|goes cycling|studies Spanish|volunteers at a shelter",
    "|",
)
_DAYS = _items("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_MONTHS = _items("January February March April May June July August September October November December")
_JOBS = _items(
    "nurse|teacher|architect|plumber|software engineer|accountant|chef|pilot|lawyer|dentist|journalist|"
    "electrician|librarian|pharmacist|photographer",
    "|",
)
_THINGS = _items("car bike laptop phone guitar camera watch jacket backpack kettle")
_COLOURS = _items("red blue green black white silver yellow orange grey purple")
_FAVOURITES = _items(
    "colour|film|book|band|season|board game|holiday destination|football team|flower|dessert|podcast|city",
    "|",
)


def memory_sentences(count: int, seed: int = 7) -> Iterator[str]:
    """``count`` varied, realistic memory texts (deterministic for a seed, all distinct)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    templates = (
        lambda: f"The user's {rng.choice(_RELATIONS)} {rng.choice(_NAMES)} lives in {rng.choice(_CITIES)}.",
        lambda: (
            f"The user {rng.choice(['likes', 'loves', 'dislikes', 'cannot stand'])} {rng.choice(_FOODS)}."
        ),
        lambda: (
            f"The user has a meeting with {rng.choice(_NAMES)} on {rng.choice(_DAYS)} at "
            f"{rng.randint(7, 19)}:{rng.choice(['00', '15', '30', '45'])}."
        ),
        lambda: (
            f"The user's {rng.choice(_RELATIONS)} works as a {rng.choice(_JOBS)} in {rng.choice(_CITIES)}."
        ),
        lambda: f"The user {rng.choice(_ACTIVITIES)} every {rng.choice(_DAYS)}.",
        lambda: f"The user visited {rng.choice(_CITIES)} in {rng.choice(_MONTHS)} {rng.randint(1995, 2026)}.",
        lambda: (
            f"The user's favourite {rng.choice(_FAVOURITES)} is the one {rng.choice(_NAMES)} recommended."
        ),
        lambda: (
            f"The user bought a {rng.choice(_COLOURS)} {rng.choice(_THINGS)} for {rng.randint(20, 2000)} euros."
        ),
        lambda: (
            f"The user's {rng.choice(_RELATIONS)} {rng.choice(_NAMES)} has a birthday on "
            f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}."
        ),
        lambda: (
            f"The user wants to learn {rng.choice(['Portuguese', 'Japanese', 'the violin', 'pottery', 'to sail', 'to code'])} "
            f"before {rng.choice(_MONTHS)} {rng.randint(2026, 2030)}."
        ),
    )
    produced = 0
    while produced < count:
        text = rng.choice(templates)()
        if text in seen:
            text = text[:-1] + f" (note {produced})."
        seen.add(text)
        produced += 1
        yield text


_QUESTIONS = (
    "Where does my sister live?",
    "What food do I dislike?",
    "When is my meeting with Emma?",
    "What does my cousin do for a living?",
    "What do I do on Sundays?",
    "When did I visit Tokyo?",
    "What is my favourite film?",
    "How much did I pay for my bike?",
    "When is my brother's birthday?",
    "What language do I want to learn?",
    "Do I like sushi?",
    "Who lives in Lisbon?",
)


def run_memory_bench(paths: DataPaths, count: int = 100_000, as_json: bool = False) -> MemoryBenchResult:
    """Fill a fresh store (in a temporary folder under the data folder's cache) and measure it."""
    if count < 1:
        raise ValueError("count must be at least 1")
    paths.cache_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-memory-", dir=paths.cache_dir))
    try:
        result = _run(DataPaths(folder), count, paths.cache_dir)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if as_json:
        json.dump(asdict(result), sys.stdout)
        sys.stdout.write("\n")
    else:
        _print(result)
    return result


def _run(store: DataPaths, count: int, cache_dir: Path) -> MemoryBenchResult:
    embedder = MiniLMEmbedder.from_catalogue(cache_dir)
    db = open_database(store.database)
    rows = MemoryRows(db, node_clock(db))
    index, _ = open_index(store.chroma_dir, embedder)
    sqlite_s = embed_s = chroma_s = 0.0
    started = time.perf_counter()
    texts = memory_sentences(count)
    done = 0
    while done < count:
        batch = [next(texts) for _ in range(min(BATCH, count - done))]
        t0 = time.perf_counter()
        ids = rows.insert_many([(text, None) for text in batch])
        t1 = time.perf_counter()
        vectors = embedder.embed([embedding_text(text) for text in batch], batch_size=64)
        t2 = time.perf_counter()
        index.upsert(list(zip(ids, batch, strict=True)), vectors)
        t3 = time.perf_counter()
        sqlite_s, embed_s, chroma_s = sqlite_s + t1 - t0, embed_s + t2 - t1, chroma_s + t3 - t2
        done += len(batch)
        if done % 20_000 < BATCH:
            log.info("bench memory: %d/%d stored", done, count)
    index.set_applied_seq(rows.max_seq(), rows.node_id)
    insert_s = time.perf_counter() - started
    index.close()
    db.conn.close()

    t0 = time.perf_counter()
    service = MemoryService.open(store, embedder=embedder)
    startup_s = time.perf_counter() - t0
    assert service.startup is not None
    try:
        t0 = time.perf_counter()
        service.recall(_QUESTIONS[0])
        first_ms = (time.perf_counter() - t0) * 1000
        latencies: list[float] = []
        for round_ in range(20):
            for question in _QUESTIONS:
                t0 = time.perf_counter()
                service.recall(question if round_ == 0 else f"{question} ({round_})")
                latencies.append((time.perf_counter() - t0) * 1000)
        forgets: list[float] = []
        for memory in service.memories(limit=5):
            t0 = time.perf_counter()
            service.forget(memory.id)
            forgets.append((time.perf_counter() - t0) * 1000)
    finally:
        service.close()
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    return MemoryBenchResult(
        count=count,
        insert_seconds=round(insert_s, 2),
        inserts_per_second=round(count / insert_s, 1),
        sqlite_seconds=round(sqlite_s, 2),
        embed_seconds=round(embed_s, 2),
        chroma_seconds=round(chroma_s, 2),
        startup_seconds=round(startup_s, 3),
        startup_check_seconds=round(service.startup.seconds, 4),
        startup_mode=service.startup.mode,
        recall_queries=len(latencies),
        recall_p50_ms=round(statistics.median(latencies), 2),
        recall_p95_ms=round(p95, 2),
        recall_max_ms=round(latencies[-1], 2),
        first_recall_ms=round(first_ms, 2),
        forget_median_ms=round(statistics.median(forgets), 1),
        forget_max_ms=round(max(forgets), 1),
        targets_met=p95 <= 15.0 and service.startup.seconds <= 1.0 and statistics.median(forgets) <= 200,
    )


def _print(r: MemoryBenchResult) -> None:
    print(f"Memory store with {r.count:,} memories")
    print(
        f"  insert: {r.insert_seconds:.1f} s = {r.inserts_per_second:,.0f} memories/s "
        f"(SQLite {r.sqlite_seconds:.1f} s, embeddings {r.embed_seconds:.1f} s, Chroma {r.chroma_seconds:.1f} s)"
    )
    print(
        f"  recall ({r.recall_queries} queries, embedding included): p50 {r.recall_p50_ms:.1f} ms, "
        f"p95 {r.recall_p95_ms:.1f} ms, max {r.recall_max_ms:.1f} ms (first {r.first_recall_ms:.1f} ms)"
    )
    print(
        f"  start-up: {r.startup_seconds:.2f} s to open; index check {r.startup_check_seconds * 1000:.1f} ms "
        f"({r.startup_mode})"
    )
    print(f"  forget one memory: median {r.forget_median_ms:.0f} ms, max {r.forget_max_ms:.0f} ms")
    print(
        "  targets (recall p95 <= 15 ms, start-up check <= 1 s, forget <= 200 ms): "
        f"{'met' if r.targets_met else 'NOT met'}"
    )
