"""`python main.py bench llm --json` on the installed chat model (the bundled SmolLM2)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.bench.llm import load_questions
from tests.conftest import ROOT


def test_the_question_set_has_at_least_50_questions_with_answers() -> None:
    questions = load_questions()
    assert len(questions) >= 50
    assert all(q.answers and q.question.endswith("?") for q in questions)
    assert len({q.question for q in questions}) == len(questions)
    assert questions[0].is_answered_by("The capital of France is Paris.")
    assert not questions[0].is_answered_by("The capital of France is Lyon.")


@pytest.mark.slow
def test_bench_llm_json_reports_each_installed_chat_model() -> None:
    result = subprocess.run(
        [sys.executable, "main.py", "bench", "llm", "--limit", "3", "--json"],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["model"] == "smollm2-135m-instruct" and row["questions"] == 3
    assert (
        0 <= row["correct"] <= 3 and row["first_token_ms_median"] > 0 and row["tokens_per_second_median"] > 0
    )
    assert row["rss_mb"] > 50
