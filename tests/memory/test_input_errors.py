"""Hostile input: each mistake is one clear line, nothing changes, nothing of the user's text is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.memory.errors import MemoryImportError, MemoryInputError
from app.memory.service import MemoryService
from app.memory.transfer import parse_export, read_export
from tests.conftest import run_cli


def test_a_deeply_nested_import_file_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(MemoryImportError, match="nested too deeply"):
        read_export(path)


def test_version_true_is_not_version_1() -> None:
    with pytest.raises(MemoryImportError, match="version true"):
        parse_export({"format": "aris-memories", "version": True, "exported_at": "x", "memories": []})


def test_control_characters_are_refused_not_stored(memory: MemoryService) -> None:
    for text in ("My PIN is 12\x0034", "My name is \x1b[31mBob"):
        with pytest.raises(MemoryInputError, match="control character"):
            memory.add(text)
    document = {
        "format": "aris-memories",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00+00:00",
        "memories": [
            {
                "id": "a1",
                "text": "The user likes \x00 tea.",
                "created_at": "2026-01-01T00:00:00+00:00",
                "updated_at": "2026-01-01T00:00:00+00:00",
            }
        ],
    }
    with pytest.raises(MemoryImportError, match="control character"):
        memory.import_json(document)
    assert memory.memories() == []


def test_quotes_and_a_closing_colon_are_kept(memory: MemoryService) -> None:
    quoted = memory.add('My password hint is "blue').stored
    listed = memory.add("Shopping list:").stored
    assert quoted is not None and '"blue' in quoted.text
    assert listed is not None and listed.text == "Shopping list:"


def test_a_limit_below_one_is_refused(memory: MemoryService) -> None:
    memory.add("My sister is called Alice")
    for limit in (0, -1):
        with pytest.raises(MemoryInputError, match="limit"):
            memory.search("sister", limit=limit)
        with pytest.raises(MemoryInputError, match="limit"):
            memory.memories(limit=limit)


def test_a_file_where_the_index_goes_is_moved_aside_and_the_index_rebuilt(
    memory: MemoryService, embedder
) -> None:  # type: ignore[no-untyped-def]
    memory.add("My sister is called Alice")
    paths = memory.paths
    memory.close()
    import shutil

    shutil.rmtree(paths.chroma_dir)
    paths.chroma_dir.write_text("not an index", encoding="utf-8")
    reopened = MemoryService.open(paths, embedder=embedder)
    try:
        assert "Alice" in reopened.search("who is my sister")[0].memory.text
        assert [p.read_text() for p in paths.chroma_dir.parent.glob("chroma.not-an-index-*")] == [
            "not an index"
        ]
    finally:
        reopened.close()


def test_cli_limit_and_deep_import_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "aris"
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    for args in (("memory", "search", "x", "--limit", "-1"), ("memory", "import", str(deep))):
        result = run_cli(*args, data_dir=data)
        assert result.returncode == 1, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("aris: "), (
            result.stderr
        )
