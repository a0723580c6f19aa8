"""`python main.py memory …` and `bench memory` as a user runs them (child processes, real embeddings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

ACTIONS = ("add", "list", "search", "edit", "forget", "pin", "export", "import", "reindex")


def _json(*args: str, data: Path) -> object:
    result = run_cli(*args, "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_action_has_help() -> None:
    result = run_cli("memory", "--help")
    assert result.returncode == 0
    for action in ACTIONS:
        assert action in result.stdout
    for action in ("add", "forget", "import"):
        assert run_cli("memory", action, "--help").returncode == 0


def test_manage_memories_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "aris"
    added = _json("memory", "add", "My sister's name is Alice", data=data)
    assert added["action"] == "add" and added["memory"]["text"] == "The user's sister's name is Alice."  # type: ignore[index]
    alice_id = added["memory"]["id"]  # type: ignore[index]
    assert _json("memory", "add", "my sister's name is Alice", data=data)["action"] == "none"  # type: ignore[index]
    assert run_cli("memory", "add", "I live in Berlin", data_dir=data).returncode == 0
    moved = _json("memory", "add", "I moved to Lisbon", data=data)
    assert moved["action"] == "update"  # type: ignore[index]

    hits = _json("memory", "search", "where do I live", data=data)
    assert hits[0]["text"] == "The user lives in Lisbon."  # type: ignore[index]

    pinned = run_cli("memory", "pin", alice_id[:8], data_dir=data)
    assert pinned.returncode == 0 and "Pinned" in pinned.stdout
    edited = _json("memory", "edit", alice_id[:8], "My sister's name is Alicia", data=data)
    assert edited["text"] == "The user's sister's name is Alicia." and edited["pinned"]  # type: ignore[index]

    listed = _json("memory", "list", data=data)
    assert [m["text"] for m in listed] == [  # type: ignore[union-attr]
        "The user's sister's name is Alicia.",
        "The user lives in Lisbon.",
    ]
    history = _json("memory", "list", "--history", data=data)
    assert len(history) == 4  # type: ignore[arg-type]

    export_file = tmp_path / "memories.json"
    assert run_cli("memory", "export", str(export_file), data_dir=data).returncode == 0
    document = json.loads(export_file.read_text(encoding="utf-8"))
    assert document["format"] == "aris-memories" and document["version"] == 1

    forgot = _json("memory", "forget", "--about", "where I live", data=data)
    assert forgot["forgotten"] == 1  # type: ignore[index]
    assert _json("memory", "reindex", data=data)["indexed"] == 1  # type: ignore[index]

    fresh = tmp_path / "fresh"
    imported = _json("memory", "import", str(export_file), data=fresh)
    assert imported == {"added": 4, "skipped": 0}
    assert [m["text"] for m in _json("memory", "list", data=fresh)] == [m["text"] for m in listed]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("this is not json", "is not valid JSON"),
        ('{"songs": ["a", "b"]}', "is not an Aris memory export"),
        (
            '{"format": "aris-memories", "version": 1, "exported_at": "x", "memories": [{"id": 5}]}',
            "memories.0",
        ),
    ],
)
def test_bad_import_is_one_sentence_and_changes_nothing(tmp_path: Path, content: str, says: str) -> None:
    data = tmp_path / "aris"
    assert run_cli("memory", "add", "I live in Lisbon", data_dir=data).returncode == 0
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = run_cli("memory", "import", str(bad), data_dir=data)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aris: Cannot import") and says in lines[0]
    assert "Nothing was imported" in lines[0]
    assert [m["text"] for m in _json("memory", "list", data=data)] == ["The user lives in Lisbon."]  # type: ignore[union-attr]


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "aris"
    for args in (
        ("memory", "edit", "nope", "text"),
        ("memory", "forget"),
        ("memory", "import", "missing.json"),
    ):
        result = run_cli(*args, data_dir=data)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("aris: ")


def test_bench_memory_smoke(tmp_path: Path) -> None:
    result = run_cli("bench", "memory", "--count", "300", "--json", data_dir=tmp_path / "aris", timeout=300)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["count"] == 300
    assert figures["inserts_per_second"] > 0 and figures["recall_queries"] >= 100
    assert 0 < figures["recall_p50_ms"] <= figures["recall_p95_ms"] <= figures["recall_max_ms"]
    assert figures["startup_mode"] == "current"
    assert not any((tmp_path / "aris" / "cache").glob("bench-memory-*"))  # the temporary store is removed
