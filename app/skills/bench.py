"""`bench skills`: intent accuracy, false matches and transcript→reply time over the labelled utterances in
tests/skills/ (each skill in many phrasings, and negatives that merely mention time, lists or numbers)."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app.skills.errors import SkillError
from app.skills.router import SkillRouter, open_skill_store
from models.locate import resource_path


@dataclass(frozen=True)
class SkillsBenchResult:
    """What `bench skills --json` prints."""

    utterances: int
    positives: int
    negatives: int
    accuracy: float
    """Share of skill requests answered by the right skill."""
    false_match_rate: float
    """Share of other questions wrongly answered by a skill instead of the language model."""
    median_ms: float
    p95_ms: float
    errors: list[dict[str, str]]


def labelled_set(language: str = "en") -> list[tuple[str | None, str]]:
    """(expected skill or None, utterance) pairs."""
    path = resource_path().parent / "tests" / "skills" / f"utterances_{language}.tsv"
    if not path.is_file():
        raise SkillError(f"The labelled utterances ({path}) ship with the source, not the packaged app.")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        skill, text = line.split("\t", 1)
        rows.append((None if skill == "none" else skill, text))
    return rows


def run_skills_bench(language: str = "en") -> SkillsBenchResult:
    """Run every labelled utterance through a fresh router on a throwaway database."""
    rows = labelled_set(language)
    with tempfile.TemporaryDirectory(prefix="aris-bench-skills-") as folder:
        router = SkillRouter(open_skill_store(Path(folder) / "aris.db"), language=language)
        router.warm_up()
        times: list[float] = []
        errors: list[dict[str, str]] = []
        right = wrong_matches = 0
        for expected, text in rows:
            started = time.perf_counter()
            reply = router.handle(text)
            times.append((time.perf_counter() - started) * 1000)
            got = reply.skill if reply else None
            if got == expected:
                right += expected is not None
            else:
                wrong_matches += expected is None
                errors.append({"text": text, "expected": str(expected), "got": str(got)})
        router.close()
    positives = sum(1 for expected, _ in rows if expected is not None)
    negatives = len(rows) - positives
    return SkillsBenchResult(
        utterances=len(rows),
        positives=positives,
        negatives=negatives,
        accuracy=round(right / max(positives, 1), 4),
        false_match_rate=round(wrong_matches / max(negatives, 1), 4),
        median_ms=round(statistics.median(times), 2),
        p95_ms=round(statistics.quantiles(times, n=20)[-1], 2),
        errors=errors,
    )


def report(result: SkillsBenchResult) -> dict[str, object]:
    """The JSON document."""
    return asdict(result)
