"""`bench skills`: intent accuracy, false matches and transcript→reply time of the skills layer, over our own
labelled utterances in tests/skills/ (each skill in many phrasings, and negatives that merely mention time,
lists or numbers) or over any TSV of requests nobody here wrote (`--file`, e.g. HWU64 with `--hwu64`)."""

from __future__ import annotations

import csv
import statistics
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from app.bench.hwu64 import expected_skill
from app.skills.errors import SkillError
from app.skills.router import SkillRouter, open_skill_store
from models.locate import resource_path

MODEL = "none"
"""The expected "skill" of a request that must reach the language model."""


@dataclass(frozen=True)
class Labelled:
    """One request and the skills that may answer it (``none`` among them: the model may answer)."""

    text: str
    expected: tuple[str, ...]

    @property
    def in_scope(self) -> bool:
        """A skill request (as opposed to one for the language model)."""
        return MODEL not in self.expected

    @property
    def label(self) -> str:
        """The expected cell as written ("reminder|alarm")."""
        return "|".join(self.expected)


@dataclass(frozen=True)
class SkillFigures:
    """How one skill did on the requests meant for it."""

    requests: int
    right: int
    accuracy: float


@dataclass(frozen=True)
class SkillsBenchResult:
    """What `bench skills --json` prints."""

    utterances: int
    in_scope: int
    """Requests a skill should answer."""
    negatives: int
    """Requests for the language model."""
    accuracy: float
    """Share of skill requests answered by the right skill."""
    false_match_rate: float
    """Share of other requests wrongly answered by a skill instead of the language model."""
    median_ms: float
    p95_ms: float
    per_skill: dict[str, SkillFigures]
    misses: list[tuple[str, str, str]]
    """Skill requests that reached another skill or the model: [text, expected, got]."""
    false_matches: list[tuple[str, str, str]]
    """Requests for the model that a skill took: [text, expected, got]."""
    positives: int = 0
    """The same as ``in_scope`` (the name older scripts read)."""
    errors: list[dict[str, str]] = field(default_factory=list)
    """Misses and false matches together, as older scripts read them."""
    cpu_median_ms: float = 0.0
    """Processor time per request (the thread's own), which other work on the machine does not inflate."""
    cpu_p95_ms: float = 0.0


def _own_cells(language: str) -> list[tuple[str, str]]:
    """(expected cell as written, utterance) from tests/skills/utterances_LANG.tsv."""
    path = resource_path().parent / "tests" / "skills" / f"utterances_{language}.tsv"
    if not path.is_file():
        raise SkillError(f"The labelled utterances ({path}) ship with the source, not the packaged app.")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cell, text = line.split("\t", 1)
            rows.append((cell, text))
    return rows


def labelled_set(language: str = "en") -> list[tuple[str | None, str]]:
    """Our own set: (expected skill or None, utterance) pairs; None where only the model should answer
    (a cell of alternatives such as "none|offline" is kept as written)."""
    return [(None if cell == MODEL else cell, text) for cell, text in _own_cells(language)]


def _cell(value: str) -> tuple[str, ...]:
    skills = tuple(s.strip().lower() for s in value.split("|") if s.strip())
    return skills or (MODEL,)


def read_tsv(path: Path, columns: set[str], needs: str) -> list[dict[str, str]]:
    """The rows of a TSV with a header (QUOTE_NONE: third-party sets hold quotes as text), stripped, blank
    texts dropped.

    Raises:
        SkillError: the file is missing or its header lacks ``columns`` (the message ends with ``needs``).
    """
    if not path.is_file():
        raise SkillError(f"No such file: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if not columns <= set(reader.fieldnames or []):
            raise SkillError(f"{path} needs a header with {needs}.")
        rows = [{key: (row.get(key) or "").strip() for key in reader.fieldnames or []} for row in reader]
    return [row for row in rows if row.get("text")]


def read_labelled_file(path: Path, *, hwu64: bool = False) -> list[Labelled]:
    """A TSV with a header row: ``text`` and ``skill`` (``none``, a skill, or alternatives ``a|b``); with
    ``hwu64``, its ``intent`` column is mapped to skills by app/bench/hwu64.py instead.

    Raises:
        SkillError: the file is missing or lacks the columns (one sentence saying which).
    """
    wanted = "intent" if hwu64 else "skill"
    try:
        table = read_tsv(path, {"text", wanted}, f"the columns text and {wanted}")
    except SkillError as error:
        if hwu64 or not path.is_file() or "intent" not in _header(path):
            raise
        raise SkillError(f"{error.message[:-1]} (an HWU64 file? add --hwu64).") from None
    rows = []
    for row in table:
        cell = expected_skill(row[wanted]) if hwu64 else row[wanted] or MODEL
        rows.append(Labelled(row["text"], _cell(cell)))
    if not rows:
        raise SkillError(f"{path} holds no requests.")
    return rows


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), [])


def own_set(language: str = "en") -> list[Labelled]:
    """Our own labelled utterances as bench rows."""
    return [Labelled(text, _cell(cell)) for cell, text in _own_cells(language)]


def run_skills_bench(language: str = "en", rows: Iterable[Labelled] | None = None) -> SkillsBenchResult:
    """Run every request through one fresh router on a throwaway database (timers and lists it sets stay
    there for the requests after it, as in a conversation)."""
    rows = list(own_set(language) if rows is None else rows)
    with tempfile.TemporaryDirectory(prefix="aris-bench-skills-") as folder:
        router = SkillRouter(open_skill_store(Path(folder) / "aris.db"), language=language)
        router.warm_up()
        times: list[float] = []
        cpu: list[float] = []
        got_of: list[str] = []
        for row in rows:
            started, cpu_started = time.perf_counter(), time.thread_time()
            reply = router.handle(row.text)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - cpu_started) * 1000)
            got_of.append(reply.skill if reply else MODEL)
        router.close()
    return replace(_score(rows, got_of, times), cpu_median_ms=_median(cpu), cpu_p95_ms=_p95(cpu))


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else 0.0


def _p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[-1], 2) if len(values) > 1 else 0.0


def _score(rows: list[Labelled], got_of: list[str], times: list[float]) -> SkillsBenchResult:
    misses: list[tuple[str, str, str]] = []
    false_matches: list[tuple[str, str, str]] = []
    tally: dict[str, list[int]] = {}
    for row, got in zip(rows, got_of, strict=True):
        right = got in row.expected
        if row.in_scope:
            figures = tally.setdefault(row.label, [0, 0])
            figures[0] += 1
            figures[1] += right
            if not right:
                misses.append((row.text, row.label, got))
        elif not right:
            false_matches.append((row.text, row.label, got))
    in_scope = sum(row.in_scope for row in rows)
    negatives = len(rows) - in_scope
    per_skill = {skill: SkillFigures(n, ok, round(ok / n, 4)) for skill, (n, ok) in sorted(tally.items())}
    return SkillsBenchResult(
        utterances=len(rows),
        in_scope=in_scope,
        negatives=negatives,
        accuracy=round((in_scope - len(misses)) / max(in_scope, 1), 4),
        false_match_rate=round(len(false_matches) / max(negatives, 1), 4),
        median_ms=round(statistics.median(times), 2) if times else 0.0,
        p95_ms=round(statistics.quantiles(times, n=20)[-1], 2) if len(times) > 1 else 0.0,
        per_skill=per_skill,
        misses=misses,
        false_matches=false_matches,
        positives=in_scope,
        errors=[
            {"text": text, "expected": expected, "got": got}
            for text, expected, got in [*misses, *false_matches]
        ],
    )


def report(result: SkillsBenchResult) -> dict[str, object]:
    """The JSON document (misses and false matches as [text, expected, got] lists)."""
    document = asdict(result)
    document["misses"] = [list(miss) for miss in result.misses]
    document["false_matches"] = [list(match) for match in result.false_matches]
    return document
