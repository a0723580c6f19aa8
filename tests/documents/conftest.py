"""Documents written in the tests themselves: a PDF with a page that has no text layer (a scan), a DOCX made
by python-docx, a Markdown tree; and the real embedding model, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bench.pdf_writer import write_pdf


def write_docx(path: Path) -> Path:
    """A DOCX with a title, two headings and their paragraphs, written by python-docx."""
    import docx

    document = docx.Document()
    document.add_heading("Apartment lease", level=0)
    document.add_heading("Pets", level=1)
    document.add_paragraph(
        "The tenant may keep one cat or one small dog in the apartment. Any other animal needs the written "
        "consent of the landlord, and the tenant pays for any damage a pet causes to the floors or doors."
    )
    document.add_heading("Rent", level=1)
    document.add_paragraph(
        "The monthly rent of 950 euros is due on the third working day of each month, paid by bank transfer "
        "to the landlord's account named in the first section of this lease."
    )
    document.save(str(path))
    return path


COFFEE_MANUAL = [
    "Descaling the Barista 300 coffee machine",
    "Descale the machine every two months, or when the orange light blinks.",
    "Fill the water tank with one litre of water and 100 ml of citric acid descaler.",
    "Hold the steam button for five seconds until the pump starts, then wait twenty minutes.",
    "Rinse the tank and run two full tanks of clean water through the machine.",
]


def write_tree(root: Path) -> Path:
    """A folder of documents: a Markdown tree (with a nested folder), the lease as DOCX, the coffee machine's
    manual as a PDF whose second page is a scan, and an HTML page."""
    (root / "notes" / "garden").mkdir(parents=True)
    (root / "notes" / "garden" / "tomatoes.md").write_text(
        "# Growing tomatoes\n\n## Watering\n\nWater the tomato plants every morning at the roots, never the "
        "leaves, and give them more water when the fruit begins to swell in July.\n\n## Feeding\n\n"
        "Feed them with a potash-rich fertiliser every ten days once the first flowers open.\n",
        encoding="utf-8",
    )
    (root / "notes" / "bikes.md").write_text(
        "# My bicycle\n\nThe bicycle's tyres take 4.5 bar at the front and 5 bar at the back. The chain was "
        "replaced in March and should be oiled every 300 kilometres.\n",
        encoding="utf-8",
    )
    write_docx(root / "lease.docx")
    write_pdf(
        root / "coffee-manual.pdf", [COFFEE_MANUAL, None, ["Warranty", "The warranty lasts three years."]]
    )
    (root / "recipes.html").write_text(
        "<html><head><title>Recipes</title><style>p {color: red}</style></head><body><h1>Pancakes</h1>"
        "<p>Whisk two eggs with 250 ml of milk and 125 g of flour, rest the batter for half an hour and fry "
        "thin pancakes in a hot buttered pan.</p><script>var secret = 1;</script></body></html>",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory):
    """The real MiniLM embedder from the model catalogue."""
    from app.memory.embeddings import MiniLMEmbedder

    return MiniLMEmbedder.from_catalogue(tmp_path_factory.mktemp("embed-cache"))
