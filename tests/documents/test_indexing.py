"""Indexing folders: every kind read, unchanged files skipped, a changed file read alone, a killed run
resumed, a removed folder erased from the database files; and search with its relevance threshold."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from app.documents.library import DocumentLibrary
from tests.documents.conftest import write_tree


@pytest.fixture()
def library(tmp_path: Path, embedder) -> DocumentLibrary:
    opened = DocumentLibrary.open(tmp_path / "index" / "documents.db", embedder)
    yield opened
    opened.close()


def test_a_folder_is_indexed_with_pages_and_the_scanned_page_reported(tmp_path: Path, library) -> None:
    root = write_tree(tmp_path / "docs")

    report = library.add_folder(root)

    assert len(report.indexed) == 5
    assert report.failed == []
    assert report.needs_ocr == [(str(root / "coffee-manual.pdf"), [2])]
    files = {Path(r.path).name: r for r in library.store.file_reports()}
    assert files["coffee-manual.pdf"].needs_ocr == [2]
    assert files["coffee-manual.pdf"].pages == 3
    found = library.search("How do I descale the coffee machine?")
    assert found[0].path == str(root / "coffee-manual.pdf")
    assert found[0].page == 1
    pets = library.search("Am I allowed to keep a dog in my apartment?")
    assert pets[0].path == str(root / "lease.docx")
    assert pets[0].heading == "Pets"


def test_a_question_the_documents_do_not_answer_finds_nothing(tmp_path: Path, library) -> None:
    library.add_folder(write_tree(tmp_path / "docs"))

    assert library.search("Who won the football world cup in 1998?") == []
    assert library.searcher.ranked("Who won the football world cup in 1998?")  # only the threshold cut them


def test_only_a_changed_file_is_read_again_and_a_deleted_one_leaves(tmp_path: Path, library) -> None:
    root = write_tree(tmp_path / "docs")
    library.add_folder(root)
    bikes = root / "notes" / "bikes.md"
    bikes.write_text("# My bicycle\n\nThe tyres now take 6 bar, front and back, since the new tyres.\n")
    os.utime(root / "lease.docx")  # touched, same content: not read again
    (root / "recipes.html").unlink()

    report = library.reindex()

    assert report.indexed == [str(bikes)]
    assert report.unchanged == 3
    assert report.removed == [str(root / "recipes.html")]
    assert "6 bar" in library.search("What pressure do my bicycle tyres take?")[0].text
    assert library.search("How do I make pancakes?") == []


class _DiesOnSecondFile:
    """The real embedder, but the process "dies" while embedding the second file."""

    def __init__(self, real) -> None:
        self.real = real
        self.files = 0

    def embed(self, texts: Sequence[str], batch_size: int = 128) -> np.ndarray:
        self.files += 1
        if self.files == 2:
            raise KeyboardInterrupt
        return self.real.embed(texts, batch_size)

    def embed_one(self, text: str) -> np.ndarray:
        return self.real.embed_one(text)


def test_a_killed_run_keeps_the_files_it_finished_and_the_next_run_goes_on(tmp_path: Path, embedder) -> None:
    root = write_tree(tmp_path / "docs")
    database = tmp_path / "documents.db"
    dying = DocumentLibrary.open(database, _DiesOnSecondFile(embedder))
    with pytest.raises(KeyboardInterrupt):
        dying.add_folder(root)
    dying.close()

    library = DocumentLibrary.open(database, embedder)
    try:
        assert library.store.counts()[0] == 1
        report = library.reindex()
        assert len(report.indexed) == 4
        assert report.unchanged == 1
    finally:
        library.close()


def test_removing_a_folder_leaves_none_of_its_text_in_the_database_files(tmp_path: Path, library) -> None:
    root = write_tree(tmp_path / "docs")
    library.add_folder(root)
    folder = library.store.db.execute("SELECT count(*) FROM doc_chunks").fetchone()[0]
    assert folder > 0

    library.remove_folder(root)

    assert library.store.folders() == []
    assert library.store.counts() == (0, 0, 0)
    assert library.search("How do I descale the coffee machine?") == []
    index = library.store.db.execute("PRAGMA database_list").fetchone()[2]
    on_disk = b"".join(p.read_bytes() for p in Path(index).parent.iterdir() if p.is_file())
    for words in (b"citric acid", b"potash-rich", b"small dog", b"descaler", b"tomato"):
        assert words not in on_disk


def test_a_folder_inside_a_watched_one_is_refused(tmp_path: Path, library) -> None:
    from app.documents.errors import FolderError

    root = write_tree(tmp_path / "docs")
    library.add_folder(root / "notes")

    with pytest.raises(FolderError, match="remove it first"):
        library.add_folder(root)
    with pytest.raises(FolderError, match="already indexed"):
        library.add_folder(root / "notes" / "garden")
