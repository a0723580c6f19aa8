"""Documents written in the tests themselves: a PDF with a page that has no text layer (a scan), a DOCX made
by python-docx, a Markdown tree; and the real embedding model, loaded once."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest


def write_pdf(path: Path, pages: list[list[str] | None]) -> Path:
    """A real PDF, one page per item: lines of text in Helvetica, or None for a page that only paints an
    image (a scanned page: no text layer)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the page tree's number is known
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pixels = zlib.compress(bytes(range(256)) * 64)  # 128 x 128 grey "scan"
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 128 /Height 128 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(pixels)
        + pixels
        + b"\nendstream"
    )
    kids = []
    for lines in pages:
        if lines is None:
            content = b"q 400 0 0 400 100 300 cm /Im1 Do Q"
        else:
            ops = [b"BT /F1 11 Tf 72 740 Td 14 TL"]
            for line in lines:
                escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                ops.append(b"(" + escaped.encode("cp1252") + b") Tj T*")
            ops.append(b"ET")
            content = b"\n".join(ops)
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                % (tree, stream, font, image)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


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
