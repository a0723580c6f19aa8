"""`python main.py bench stt --json` in a fresh process, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.bench.stt import load_sentences
from tests.conftest import run_cli


def test_the_sentence_list_covers_requests_and_statements() -> None:
    sentences = load_sentences()
    assert len(sentences) >= 50 and len(set(sentences)) == len(sentences)
    assert "Set a timer for ten minutes." in sentences and not any(s.startswith("#") for s in sentences)


def test_a_limit_below_one_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("bench", "stt", "--limit", "0", data_dir=tmp_path / "data")
    assert (result.returncode, result.stderr.strip()) == (1, "aris: --limit must be at least 1")


@pytest.mark.slow
def test_bench_stt_compares_the_whole_window_with_the_configured_one(tmp_path: Path) -> None:
    result = run_cli("bench", "stt", "--limit", "2", "--json", data_dir=tmp_path / "data", timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["sentences"], report["clips"]) == (2, 6)
    configs = {(c["window_seconds"], c["lead_silence_seconds"]): c for c in report["configs"]}
    assert set(configs) == {(30.0, 0.0), (30.0, 0.3), (21.0, 0.0), (21.0, 0.3)}
    for config in configs.values():
        assert 0 <= config["word_error_rate"] <= 1 and config["transcribe_ms_median"] > 0
        assert set(config["word_error_rate_by_voice"]) == {"espeak-ng-140", "espeak-ng-175", "piper"}
