"""`bench docs`: answering from documents, measured on a corpus nobody here wrote (by default SQuAD's
development articles as Markdown, with their questions).

The corpus is copied to a temporary folder in two parts: most articles, and every sixth one held out. The
first part is indexed alone and the held-out articles' questions are asked of it: the documents do not hold
their answers, so the share that gets no passage is the not-found rate for unanswerable questions. Then the
held-out part is added and every question is asked: recall@5 counts the questions whose answer paragraph is
among the five best passages (before the relevance threshold); the threshold's effect is reported as the
share of answerable questions that still get passages, and of those, how often the first passage (the one
an answer cites first) contains one of the annotators' answers. Indexing throughput counts pages (a PDF's
own, otherwise 3,000 characters each); bytes written come from the kernel's count for this process. The same
articles are then indexed again as a mixed folder (a third PDF, a third DOCX, a third Markdown) for the
throughput and size on the kinds of files people have; pages per CPU-second say what the
wall-clock rate hides on a busy machine. Query latency is measured again after the index is filled to 10,000 passages with synthetic ones (random
vectors, shuffled words of the corpus), the size the latency target is set for."""

from __future__ import annotations

import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.bench.pdf_writer import paginate, write_pdf
from app.documents.chunking import Chunk
from app.documents.extract import paragraphs
from app.documents.library import DocumentLibrary
from app.documents.search import Passage
from app.documents.vectors import DIMENSIONS, Embedder, pack

DEFAULT_CORPUS = Path("../shared/data/documents/squad-dev")
HOLD_OUT_EVERY = 6
TARGET_CHUNKS = 10_000


@dataclass(frozen=True)
class Question:
    """One question of the corpus with where its answer is."""

    question: str
    answers: tuple[str, ...]
    file: str
    paragraph: int


def read_questions(corpus: Path) -> list[Question]:
    """The questions of ``corpus/questions.jsonl``."""
    found = []
    with (corpus / "questions.jsonl").open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                item = json.loads(line)
                found.append(
                    Question(item["question"], tuple(item["answers"]), item["file"], int(item["paragraph"]))
                )
    return found


def answer_paragraphs(corpus: Path, files: set[str]) -> dict[tuple[str, int], str]:
    """(file, paragraph index) → the paragraph's text, whitespace as the index joins it (headings not
    counted, as the questions count them)."""
    found: dict[tuple[str, int], str] = {}
    for name in files:
        text = (corpus / name).read_text(encoding="utf-8")
        body = [p for p in paragraphs(text) if not p.startswith("# ")]
        for index, paragraph in enumerate(body):
            found[(name, index)] = paragraph
    return found


def holds(passage: Passage, name: str, paragraph: str) -> bool:
    """Whether ``passage`` is (part of) the answer paragraph of file ``name``."""
    if Path(passage.path).name != name:
        return False
    return paragraph in passage.text or passage.text in paragraph


def _written_bytes() -> int:
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else 0.0


def _filler(library: DocumentLibrary, words: list[str], needed: int) -> None:
    """Synthetic passages (random unit vectors, shuffled corpus words) up to ``needed`` more."""
    rng = np.random.default_rng(7)
    shuffler = random.Random(7)
    folder = Path("/filler")
    library.store.add_folder(folder)
    folder_id = library.store.folder_id(folder)
    assert folder_id is not None
    per_file = 500
    for start in range(0, needed, per_file):
        count = min(per_file, needed - start)
        vectors = rng.normal(size=(count, DIMENSIONS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        chunks = [Chunk(" ".join(shuffler.choices(words, k=110)), None, "Filler") for _ in range(count)]
        library.store.replace_file(
            folder_id,
            folder / f"filler-{start}.md",
            sha256="0",
            size=0,
            mtime_ns=0,
            pages=0,
            needs_ocr=[],
            chunks=chunks,
            vectors=[pack(v) for v in vectors],
        )


def _ask(
    library: DocumentLibrary, asked: list[Question], texts: dict[tuple[str, int], str]
) -> tuple[int, int, int, list[float]]:
    """(questions whose answer paragraph is in the top 5, questions that kept passages after the threshold,
    of those the ones whose first passage holds an answer, each search's milliseconds)."""
    hits = answered = cited = 0
    times: list[float] = []
    for q in asked:
        started = time.perf_counter()
        ranked = library.searcher.ranked(q.question, 5)
        times.append((time.perf_counter() - started) * 1000)
        paragraph = texts[(q.file, q.paragraph)]
        hits += any(holds(p, q.file, paragraph) for p in ranked)
        kept = library.searcher.relevant(q.question, ranked)
        if kept:
            answered += 1
            cited += any(a.lower() in kept[0].text.lower() for a in q.answers)
    return hits, answered, cited, times


def build_mixed(corpus: Path, names: list[str], folder: Path) -> None:
    """The corpus's articles as a mixed folder: a third as PDFs (text pages laid out by ``pdf_writer``), a
    third as DOCX (python-docx, the title as a heading), a third as the Markdown they are."""
    import docx

    folder.mkdir(parents=True)
    for index, name in enumerate(names):
        text = (corpus / name).read_text(encoding="utf-8")
        body = [p for p in paragraphs(text) if not p.startswith("# ")]
        stem = Path(name).stem
        if index % 3 == 0:
            write_pdf(folder / f"{stem}.pdf", paginate(body))
        elif index % 3 == 1:
            document = docx.Document()
            document.add_heading(stem.replace("_", " "), level=1)
            for paragraph in body:
                document.add_paragraph(paragraph)
            document.save(str(folder / f"{stem}.docx"))
        else:
            shutil.copy(corpus / name, folder / name)


def _mixed_throughput(corpus: Path, names: list[str], root: Path, embedder: Embedder) -> dict[str, float]:
    """Indexing speed and size on the mixed folder, in a store of its own."""
    build_mixed(corpus, names, root / "mixed")
    library = DocumentLibrary.open(root / "mixed.db", embedder)
    try:
        written = _written_bytes()
        cpu = time.process_time()
        report = library.add_folder(root / "mixed")
        cpu = time.process_time() - cpu
        library.store.scrub()  # the log copied back: the size below is the index's own
        written = _written_bytes() - written
    finally:
        library.close()
    size = sum(p.stat().st_size for p in root.glob("mixed.db*"))
    chars = max(1, report.text_chars)
    return {
        "mixed_files": len(report.indexed),
        "mixed_pages": report.pages,
        "mixed_pages_per_s": round(report.pages / report.seconds, 2) if report.seconds else 0.0,
        "mixed_pages_per_cpu_s": round(report.pages / cpu, 2) if cpu else 0.0,
        "mixed_bytes_written_per_text_byte": round(written / chars, 2),
        "mixed_index_bytes_per_text_byte": round(size / chars, 2),
    }


def run_documents_bench(
    corpus: Path,
    embedder: Embedder,
    *,
    count: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, object]:
    """Index ``corpus`` into a fresh temporary store and measure it (see the module's docstring)."""
    say = progress or (lambda _message: None)
    questions = read_questions(corpus)
    names = sorted({q.file for q in questions})
    held_out = set(names[HOLD_OUT_EVERY - 1 :: HOLD_OUT_EVERY])
    with tempfile.TemporaryDirectory(prefix="aris-bench-docs-") as tmp:
        root = Path(tmp)
        main, extra = root / "corpus" / "main", root / "corpus" / "held-out"
        main.mkdir(parents=True)
        extra.mkdir(parents=True)
        for name in names:
            shutil.copy(corpus / name, (extra if name in held_out else main) / name)
        library = DocumentLibrary.open(root / "documents.db", embedder)
        try:
            written = _written_bytes()
            say(f"Indexing {len(names) - len(held_out)} articles")
            first = library.add_folder(main)
            say("Asking the held-out articles' questions")
            unanswerable = [q for q in questions if q.file in held_out]
            if count:
                unanswerable = unanswerable[:: max(1, len(unanswerable) // max(1, count // 4))]
            not_found = sum(1 for q in unanswerable if not library.search(q.question))
            second = library.add_folder(extra)
            written = _written_bytes() - written
            pages = first.pages + second.pages
            seconds = first.seconds + second.seconds
            text_chars = first.text_chars + second.text_chars
            asked = questions if not count else questions[:: max(1, len(questions) // count)]
            texts = answer_paragraphs(corpus, {q.file for q in asked})
            say(f"Asking {len(asked)} questions")
            hits, answered, cited, times = _ask(library, asked, texts)
            chunks = library.store.counts()[1]
            say(f"Filling the index to {TARGET_CHUNKS} passages")
            words = " ".join(texts.values()).split()
            _filler(library, words, max(0, TARGET_CHUNKS - chunks))
            big_times, big_cpu = [], []
            for q in asked[:200]:
                started, cpu = time.perf_counter(), time.process_time()
                library.searcher.ranked(q.question, 5)
                big_times.append((time.perf_counter() - started) * 1000)
                big_cpu.append((time.process_time() - cpu) * 1000)
        finally:
            library.close()
        say("Indexing the articles again as a mix of PDF, DOCX and Markdown")
        mixed = _mixed_throughput(corpus, names, root, embedder)
    return {
        "corpus": str(corpus),
        "articles": len(names),
        "questions": len(asked),
        "recall_at_5": round(hits / len(asked), 4),
        "answered_rate": round(answered / len(asked), 4),
        "cited_contains_answer": round(cited / answered, 4) if answered else 0.0,
        "unanswerable_questions": len(unanswerable),
        "not_found_rate_unanswerable": round(not_found / len(unanswerable), 4) if unanswerable else 0.0,
        "chunks": chunks,
        "pages": pages,
        "index_seconds": round(seconds, 2),
        "pages_per_s": round(pages / seconds, 2) if seconds else 0.0,
        "text_mb": round(text_chars / 1e6, 3),
        "bytes_written_per_text_byte": round(written / text_chars, 2) if text_chars else 0.0,
        "query_ms_median": round(statistics.median(times), 2),
        "query_ms_p95": round(_p95(times), 2),
        "query_ms_p95_10k": round(_p95(big_times), 2),
        "query_cpu_ms_p95_10k": round(_p95(big_cpu), 2),
        **mixed,
    }


def print_documents_report(report: dict[str, object], as_json: bool) -> None:
    """The figures as one JSON line or as text."""
    if as_json:
        json.dump(report, sys.stdout)
        sys.stdout.write("\n")
        return
    r = report
    print(
        f"corpus {r['corpus']}: {r['articles']} articles, {r['chunks']} passages, {r['questions']} questions"
    )
    print(
        f"recall@5 {r['recall_at_5']:.3f}; answered {r['answered_rate']:.3f}, first passage holds the answer"
    )
    print(f"  in {r['cited_contains_answer']:.3f} of those")
    print(
        f"unanswerable (held-out articles, {r['unanswerable_questions']} questions): not found "
        f"{r['not_found_rate_unanswerable']:.3f}"
    )
    print(
        f"indexing {r['pages']} pages in {r['index_seconds']} s: {r['pages_per_s']} pages/s; "
        f"{r['bytes_written_per_text_byte']} bytes written per byte of text ({r['text_mb']} MB)"
    )
    print(
        f"mixed PDF/DOCX/Markdown ({r['mixed_files']} files, {r['mixed_pages']} pages): {r['mixed_pages_per_s']} "
        f"pages/s ({r['mixed_pages_per_cpu_s']} per CPU-second, whatever else the machine runs)"
        f"; {r['mixed_bytes_written_per_text_byte']} bytes written and an index of "
        f"{r['mixed_index_bytes_per_text_byte']} bytes per byte of text"
    )
    print(
        f"query median {r['query_ms_median']} ms, p95 {r['query_ms_p95']} ms; "
        f"p95 at {TARGET_CHUNKS} passages {r['query_ms_p95_10k']} ms ({r['query_cpu_ms_p95_10k']} ms of CPU)"
    )
