"""The recall evaluation is large enough, deterministic, and `bench recall` reports every figure."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from app.bench.recall_set import KINDS, conversations
from tests.conftest import run_cli


def test_the_evaluation_is_big_enough_and_consistent() -> None:
    data = conversations()
    assert len(data) >= 10
    assert all(len(c.turns) >= 200 for c in data)
    assert all(len({t.day for t in c.turns}) >= 20 for c in data)  # many sessions
    questions = [q for c in data for q in c.questions]
    assert len(questions) >= 500
    kinds = Counter(q.kind for q in questions)
    assert set(kinds) == set(KINDS) and min(kinds.values()) >= 100
    for c in data:
        ids = {t.id for t in c.turns}
        assert all(set(q.evidence) <= ids and q.evidence for q in c.questions)
    assert all(len(q.evidence) >= 2 for q in questions if q.kind == "multi")


def test_the_evaluation_is_the_same_every_time() -> None:
    assert conversations(count=2) == conversations(count=2)
    assert conversations(seed=1, count=1) != conversations(count=1)


@pytest.mark.slow
def test_bench_recall_reports_each_ranking_and_kind(tmp_path: Path) -> None:
    result = run_cli("bench", "recall", "--count", "1", "--json", data_dir=tmp_path / "aris", timeout=300)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert set(figures["recall"]) == {"fused", "full_text", "vector"}
    for kinds in figures["recall"].values():
        assert set(kinds) == {*KINDS, "all"}
        for at in kinds.values():
            assert 0.0 <= at["@1"] <= at["@5"] <= at["@10"] <= 1.0
    assert figures["recall"]["fused"]["all"]["@10"] > 0.5
    assert not any((tmp_path / "aris" / "cache").glob("bench-recall-*"))
