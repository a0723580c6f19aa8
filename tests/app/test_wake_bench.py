"""`python main.py bench wake --json` in a fresh process, as a user runs it: the figures the issue names, the
audio made once and kept in the user's cache folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

SENTENCES = [
    "what is the weather like tomorrow",
    "play some jazz in the kitchen",
    "remind me to buy milk at six",
    "how far is the moon from the earth",
    "turn off the lights in the bedroom",
    "what did i have for lunch yesterday",
    "tell me a joke about penguins",
    "is it going to rain this afternoon",
    "set an alarm for seven thirty",
    "who won the football match last night",
    "what is twelve times fourteen",
    "read me the latest news headlines",
    "how do you make pancakes",
    "add eggs to the shopping list",
    "what time does the bakery open",
    "call my sister on her mobile",
    "how tall is mount everest",
    "what is the capital of australia",
    "lower the volume a little",
    "when is my next meeting",
    "my friend travis is coming over for dinner",
]


@pytest.fixture()
def sentences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A sentence file, and the user's cache folder redirected into the test's folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "sentences.txt"
    path.write_text("\n".join([*SENTENCES, "hey jarvis is never said by a negative"]), encoding="utf-8")
    return path


def test_without_a_sentence_file_it_skips_with_one_line(tmp_path: Path) -> None:
    result = run_cli("bench", "wake", data_dir=tmp_path / "data")
    assert result.returncode == 0
    assert result.stderr.strip().startswith("bench wake: skipped, it needs --file PATH")
    assert result.stderr.count("\n") == 1


def test_an_unknown_wake_word_is_one_clear_line(tmp_path: Path, sentences: Path) -> None:
    result = run_cli(
        "bench", "wake", "--file", str(sentences), "--wake-word", "hey_bob", data_dir=tmp_path / "data"
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "aris: Unknown wake word 'hey_bob', expected one of: okay_nabu, hey_jarvis, hey_mycroft, alexa."
    )


@pytest.mark.slow
def test_bench_wake_reports_the_figures_and_makes_the_audio_once(tmp_path: Path, sentences: Path) -> None:
    args = (
        "bench",
        "wake",
        "--file",
        str(sentences),
        "--positives",
        "4",
        "--negative-minutes",
        "1",
        "--json",
    )
    first = run_cli(*args, data_dir=tmp_path / "data", timeout=600)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    for key in (
        "false_accepts_per_hour",
        "false_reject_rate",
        "cpu_share_of_core",
        "wake_to_listening_ms_median",
        "negative_hours",
        "positives",
    ):
        assert key in report
    assert report["positives"] == 4 and report["negative_hours"] == pytest.approx(1 / 60, abs=0.001)
    assert 0 <= report["false_reject_rate"] <= 1 and 0 < report["cpu_share_of_core"] < 1
    cached = {path: path.stat().st_mtime_ns for path in (tmp_path / "cache" / "aris").rglob("*.npy")}
    assert len(cached) == 5  # one minute of negatives, four phrases

    again = run_cli(*args, data_dir=tmp_path / "data", timeout=600)
    assert again.returncode == 0, again.stderr
    repeat = json.loads(again.stdout)
    # Nothing was made again: the same files, untouched, scored to the same result.
    assert {path: path.stat().st_mtime_ns for path in (tmp_path / "cache" / "aris").rglob("*.npy")} == cached
    assert (repeat["false_accepts"], repeat["missed"]) == (report["false_accepts"], report["missed"])
