"""`python main.py bench endpoint --json`: the adaptive end of turn against the fixed wait, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


def test_a_count_below_one_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("bench", "endpoint", "--hesitant", "0", data_dir=tmp_path / "data")
    assert (result.returncode, result.stderr.strip()) == (
        1,
        "aris: --hesitant must be at least 1 and --stt-ms at least 0",
    )


@pytest.mark.slow
def test_bench_endpoint_reports_cutoffs_and_waits_for_both_modes(tmp_path: Path) -> None:
    result = run_cli(
        "bench", "endpoint", "--hesitant", "3", "--json", data_dir=tmp_path / "data", timeout=600
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["hesitant_n"], report["complete_n"]) == (3, 10)
    for mode in ("adaptive", "fixed"):
        assert 0 <= report[mode]["cutoffs"] <= 3
        assert 0 < report[mode]["end_wait_ms_median"] < 3000
    # The fixed wait ends every complete question at least 600 ms after its last word.
    assert report["fixed"]["end_wait_ms_median"] >= 600
