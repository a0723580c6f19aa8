"""The `docs` commands and `ask --json`'s sources, run as a user runs them (real models)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.documents.conftest import write_tree


def test_docs_commands_and_ask_cites_the_passage_it_used(tmp_path: Path) -> None:
    data = tmp_path / "data"
    root = write_tree(tmp_path / "docs")

    added = run_cli("docs", "add", str(root), "--json", data_dir=data)
    assert added.returncode == 0, added.stderr
    assert len(json.loads(added.stdout)["indexed"]) == 5
    status = json.loads(run_cli("docs", "status", "--json", data_dir=data).stdout)
    assert status["needs_ocr"] == [{"path": str(root / "coffee-manual.pdf"), "pages": [2]}]
    listed = json.loads(run_cli("docs", "list", "--json", data_dir=data).stdout)
    assert [f["path"] for f in listed] == [str(root)]

    asked = run_cli("ask", "How do I descale the coffee machine?", "--json", data_dir=data, timeout=300)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["reply"].startswith("From coffee manual, page 1:")  # the built-in model reads it out
    assert "descale" in answer["reply"].lower()
    sources = answer["sources"]
    assert sources[0]["path"] == str(root / "coffee-manual.pdf")
    assert sources[0]["page"] == 1
    assert "citric acid" in sources[0]["text"]

    unrelated = run_cli("ask", "What is the capital of France?", "--json", data_dir=data, timeout=300)
    assert json.loads(unrelated.stdout)["sources"] == []

    removed = run_cli("docs", "remove", str(root), data_dir=data)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(run_cli("docs", "list", "--json", data_dir=data).stdout) == []
