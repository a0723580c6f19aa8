"""Reading each kind of document: pages, headings, pages with no text layer."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bench.pdf_writer import write_pdf
from app.documents.chunking import ChunkSettings, chunk_blocks
from app.documents.errors import ExtractionError
from app.documents.extract import Block, extract
from tests.documents.conftest import COFFEE_MANUAL, write_docx, write_tree


def test_pdf_pages_are_read_one_by_one_and_a_scanned_page_needs_ocr(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "manual.pdf", [COFFEE_MANUAL, None, ["Warranty", "The warranty lasts three years."]]
    )

    extracted = extract(path)

    assert extracted.pages == 3
    assert extracted.needs_ocr == [2]
    assert {b.page for b in extracted.blocks} == {1, 3}
    assert "citric acid descaler" in " ".join(b.text for b in extracted.blocks if b.page == 1)


def test_docx_paragraphs_sit_under_their_headings(tmp_path: Path) -> None:
    extracted = extract(write_docx(tmp_path / "lease.docx"))

    by_heading = {b.heading: b.text for b in extracted.blocks}
    assert "one cat or one small dog" in by_heading["Pets"]
    assert "950 euros" in by_heading["Rent"]


def test_markdown_and_html_keep_headings_and_leave_scripts_out(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "docs")

    tomatoes = extract(root / "notes" / "garden" / "tomatoes.md").blocks
    pancakes = extract(root / "recipes.html").blocks

    assert [b.heading for b in tomatoes] == ["Watering", "Feeding"]
    assert [b.heading for b in pancakes] == ["Pancakes"]
    assert "secret" not in " ".join(b.text for b in pancakes)
    assert "color" not in " ".join(b.text for b in pancakes)


def test_a_damaged_pdf_is_an_extraction_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a PDF")

    with pytest.raises(ExtractionError, match=r"broken\.pdf"):
        extract(path)


def test_short_paragraphs_join_and_long_ones_are_cut_at_sentences() -> None:
    long = " ".join(f"Sentence number {i} says something." for i in range(80))
    blocks = [Block("Short.", 1, "A"), Block("Also short.", 1, "A"), Block(long, 2, "B")]

    chunks = chunk_blocks(blocks, ChunkSettings(min_chars=50, max_chars=400))

    assert chunks[0].text == "Short. Also short."
    assert all(len(c.text) <= 400 for c in chunks[1:])
    assert " ".join(c.text for c in chunks[1:]) == long
    assert {c.page for c in chunks[1:]} == {2}
