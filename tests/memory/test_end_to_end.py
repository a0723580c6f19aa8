"""As a user would try it: `python main.py ask …` in separate processes, with the real default models."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def _ask(data: Path, text: str) -> str:
    result = run_cli("ask", text, "--json", data_dir=data, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["reply"]


def test_sister_alice_across_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "aris"
    assert _ask(data, "Remember that my sister's name is Alice") == (
        "OK, I'll remember that your sister's name is Alice."
    )
    answer = _ask(data, "What is my sister's name?")  # a new process: only the database remembers
    assert "alice" in answer.lower()

    conn = sqlite3.connect(data / "aris.db")
    messages = conn.execute("SELECT role, text, timings FROM messages ORDER BY rowid").fetchall()
    conn.close()
    assert [(role, text) for role, text, _ in messages] == [
        ("user", "Remember that my sister's name is Alice"),
        ("assistant", "OK, I'll remember that your sister's name is Alice."),
        ("user", "What is my sister's name?"),
        ("assistant", answer),
    ]
    timings = json.loads(messages[3][2])
    assert timings["first_token"] > 0 and timings["done"] >= timings["first_token"]


def test_moving_from_berlin_to_lisbon_replaces_where_i_live(tmp_path: Path) -> None:
    data = tmp_path / "aris"
    _ask(data, "I live in Berlin.")
    _ask(data, "I moved from Berlin to Lisbon.")
    listed = run_cli("memory", "list", "--json", data_dir=data)
    assert [m["text"] for m in json.loads(listed.stdout)] == ["The user lives in Lisbon."]
    answer = _ask(data, "Where do I live?")
    assert "lisbon" in answer.lower() and "berlin" not in answer.lower()


def test_forgotten_memory_never_comes_back_in_an_answer(tmp_path: Path) -> None:
    data = tmp_path / "aris"
    added = run_cli("memory", "add", "My car is a red Volvo", data_dir=data)
    assert added.returncode == 0 and "Remembered" in added.stdout
    assert "volvo" in _ask(data, "What car do I drive?").lower()
    assert _ask(data, "Forget what I told you about my car") == "OK, I've forgotten that."
    assert "volvo" not in _ask(data, "What car do I drive?").lower()
    assert "Volvo" not in run_cli("memory", "export", data_dir=data).stdout
