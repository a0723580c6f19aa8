"""`bench llm`: for each installed chat model, first-token latency, generation speed, memory and accuracy on
short general-knowledge questions with known answers (tests/llm_questions.json)."""

from __future__ import annotations

import gc
import json
import logging
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.paths import DataPaths
from engine.chat import ChatMessage, Role, system_prompt_for
from engine.llm import GenerationSettings, LlamaResponder
from models.catalogue import ModelKind, ModelSource, all_specs
from models.errors import ModelError
from models.locate import project_path
from models.resolve import resolve_model
from models.store import is_installed

log = logging.getLogger(__name__)

QUESTIONS_FILE = project_path("tests", "llm_questions.json")


@dataclass(frozen=True)
class Question:
    """A question and the answers that count as right (any of them, case-insensitive, in the reply)."""

    question: str
    answers: tuple[str, ...]

    def is_answered_by(self, reply: str) -> bool:
        """True if the reply contains an accepted answer."""
        lowered = reply.lower()
        return any(answer.lower() in lowered for answer in self.answers)


@dataclass(frozen=True)
class ModelFigures:
    """One model's results."""

    model: str
    questions: int
    correct: int
    accuracy: float
    first_token_ms_median: float
    tokens_per_second_median: float
    load_seconds: float
    rss_mb: float
    """Resident memory of the process with the model loaded and used."""
    wrong: tuple[str, ...]
    """The questions it got wrong, with its reply, to judge the answers by eye."""


def load_questions(path: Path = QUESTIONS_FILE) -> list[Question]:
    """The question set; a missing file is a clear error (it ships in the source tree, not in the bundle)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"Cannot read the benchmark questions {path}: {error}.") from error
    return [Question(item["question"], tuple(item["answers"])) for item in data["questions"]]


def installed_chat_models(paths: DataPaths) -> list[str]:
    """Catalogue chat models present on this computer (built in or downloaded)."""
    return [
        spec.name
        for spec in all_specs()
        if spec.kind is ModelKind.LLM
        and (spec.source is ModelSource.PACKAGE or is_installed(spec, paths.models_dir))
    ]


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bench_model(name: str, paths: DataPaths, questions: list[Question], threads: int) -> ModelFigures:
    """Load one model, ask every question once with the assistant's system prompt, and measure."""
    started = time.monotonic()
    resolved = resolve_model(name, paths.cache_dir, paths.models_dir)
    llm = LlamaResponder(
        str(resolved.path),
        chat_format=resolved.spec.chat_format,
        context_tokens=resolved.spec.context_tokens,
        threads=threads,
        settings=GenerationSettings.for_family(resolved.spec.family),
    )
    system_prompt = system_prompt_for("en", resolved.spec.family)
    load_seconds = time.monotonic() - started
    llm.complete_warmup()
    first_token_ms: list[float] = []
    speeds: list[float] = []
    wrong: list[str] = []
    for item in questions:
        messages = [ChatMessage(Role.SYSTEM, system_prompt), ChatMessage(Role.USER, item.question)]
        asked = time.monotonic()
        first: float | None = None
        pieces: list[str] = []
        for piece in llm.respond(messages):
            if first is None:
                first = time.monotonic()
            pieces.append(piece)
        done = time.monotonic()
        reply = "".join(pieces).strip()
        if first is not None:
            first_token_ms.append((first - asked) * 1000)
            tokens = llm.count_tokens(reply)
            if tokens > 1 and done > first:
                speeds.append((tokens - 1) / (done - first))
        if not item.is_answered_by(reply):
            wrong.append(f"{item.question} -> {reply[:120]}")
    rss = _rss_mb()
    del llm
    gc.collect()
    correct = len(questions) - len(wrong)
    return ModelFigures(
        model=name,
        questions=len(questions),
        correct=correct,
        accuracy=round(correct / len(questions), 3) if questions else 0.0,
        first_token_ms_median=round(statistics.median(first_token_ms), 1) if first_token_ms else 0.0,
        tokens_per_second_median=round(statistics.median(speeds), 1) if speeds else 0.0,
        load_seconds=round(load_seconds, 2),
        rss_mb=round(rss, 0),
        wrong=tuple(wrong),
    )


def run_llm_bench(
    paths: DataPaths, models: list[str] | None = None, limit: int | None = None, threads: int = 2
) -> list[dict[str, Any]]:
    """Benchmark each installed (or named) chat model; returns one dict per model."""
    questions = load_questions()[:limit] if limit else load_questions()
    names = models or installed_chat_models(paths)
    return [asdict(bench_model(name, paths, questions, threads)) for name in names]
