"""A minimal PDF writer for benches and tests: pages of Helvetica text, or pages that only paint an image (a
scan without a text layer). No PDF library on our machines writes PDFs (pypdf only edits them), and a
hand-written file is also one nobody's converter has tidied."""

from __future__ import annotations

import textwrap
import zlib
from collections.abc import Sequence
from pathlib import Path

LINES_PER_PAGE = 50
"""Lines of 11-point text on a US-letter page with one-inch margins."""
LINE_CHARS = 95
"""Characters of Helvetica 11 pt that fit across that page, about."""


def write_pdf(path: Path, pages: Sequence[Sequence[str] | None]) -> Path:
    """A PDF with one page per item: lines of text, or None for a page that only paints an image."""
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
            ops = [b"BT /F1 11 Tf 72 740 Td 13 TL"]
            for line in lines:
                escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                ops.append(b"(" + escaped.encode("cp1252", errors="replace") + b") Tj T*")
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


def paginate(paragraphs: list[str]) -> list[list[str]]:
    """Paragraphs laid out as pages of wrapped lines, a blank line between paragraphs."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, LINE_CHARS))
        lines.append("")
    return [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
