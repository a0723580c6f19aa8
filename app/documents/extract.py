"""Reading the text out of the user's files: plain text, Markdown, PDF (pypdf), DOCX (python-docx) and HTML
(the standard library's parser), as paragraphs with the page and the heading they sit under.

The libraries: pypdf is pure Python, small and well kept, and reads a page's text layer one page at a time,
which is what lets a citation name its page and a page without a text layer (a scan) be reported as needing
OCR instead of being skipped in silence. python-docx reads a DOCX's paragraphs with their styles, so headings
come from the document itself. HTML needs no library: ``html.parser`` sees every tag, and only the headings,
the blocks and what to leave out (scripts, styles) matter here."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from app.documents.errors import ExtractionError

log = logging.getLogger(__name__)

CHARS_PER_PAGE = 3000
"""A printed page of prose holds about this many characters: files without pages (text, Markdown, DOCX,
HTML) are counted in pages of this size, so indexing speed reads the same for every kind."""

SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}
"""The file kinds read, by name ending (lower case)."""


@dataclass(frozen=True)
class Block:
    """One paragraph of a document: its text, the page it is on (1-based; None for files without pages) and
    the heading it sits under ("" before the first)."""

    text: str
    page: int | None = None
    heading: str = ""


@dataclass
class Extracted:
    """What a file holds: its paragraphs in order, how many pages, and the pages that have no text layer."""

    blocks: list[Block] = field(default_factory=list)
    pages: int = 0
    needs_ocr: list[int] = field(default_factory=list)
    """Pages (1-based) with no text to read: scanned images, which only OCR could read."""

    @property
    def text_chars(self) -> int:
        """Characters of text found."""
        return sum(len(b.text) for b in self.blocks)


def is_document(path: Path) -> bool:
    """Whether ``path`` is a kind of file the index reads (hidden files and Office lock files are not)."""
    name = path.name
    return path.suffix.lower() in SUFFIXES and not name.startswith((".", "~$"))


def extract(path: Path) -> Extracted:
    """The paragraphs of the file at ``path``.

    Raises:
        ExtractionError: the file cannot be read as its kind (damaged, encrypted, unreadable).
    """
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ExtractionError(f"{path.name} is not a kind of document Aris reads.")
    try:
        if kind == "pdf":
            return _pdf(path)
        if kind == "docx":
            return _docx(path)
        text = _decode(path.read_bytes())
    except ExtractionError:
        raise
    except OSError as error:
        raise ExtractionError(f"Could not read {path}: {error.strerror}.") from error
    except Exception as error:  # pypdf and python-docx raise many kinds for a damaged file
        raise ExtractionError(f"Could not read {path.name} as a {kind.upper()} file: {error}") from error
    if kind == "markdown":
        blocks = list(_markdown_blocks(text))
    elif kind == "html":
        blocks = _html_blocks(text)
    else:
        blocks = [Block(p) for p in paragraphs(text)]
    return _paged(blocks)


def _paged(blocks: list[Block]) -> Extracted:
    chars = sum(len(b.text) for b in blocks)
    return Extracted(blocks, pages=max(1, -(-chars // CHARS_PER_PAGE)) if blocks else 0)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark); older files in Windows' Western encoding otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_BLANK_LINE = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"[ \t\r\f\v]+")


def paragraphs(text: str) -> list[str]:
    """The paragraphs of plain text: separated by blank lines, inner line breaks kept as spaces."""
    found = []
    for part in _BLANK_LINE.split(text.replace("\r\n", "\n")):
        cleaned = _SPACE.sub(" ", part.replace("\n", " ")).strip()
        if cleaned:
            found.append(cleaned)
    return found


_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def _markdown_blocks(text: str) -> Iterator[Block]:
    """Markdown's paragraphs under their headings (ATX ``#`` headings; code fences stay one block)."""
    heading = ""
    pending: list[str] = []
    in_fence = False

    def flush() -> Iterator[Block]:
        for paragraph in paragraphs("\n".join(pending)):
            yield Block(paragraph, None, heading)
        pending.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        if _MD_FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _MD_HEADING.match(line)
        if match:
            yield from flush()
            heading = match.group(2).strip()
            continue
        pending.append(line)
    yield from flush()


def _pdf(path: Path) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise ExtractionError(f"{path.name} is password-protected; Aris cannot read it.")
        result = Extracted()
        heading = ""
        for number, page in enumerate(reader.pages, start=1):
            result.pages = number
            text = page.extract_text() or ""
            if not text.strip():
                result.needs_ocr.append(number)
                continue
            for paragraph in _pdf_paragraphs(text):
                result.blocks.append(Block(paragraph, number, heading))
    except PdfReadError as error:
        raise ExtractionError(f"{path.name} is not a readable PDF: {error}") from error
    return result


_SENTENCE_END = re.compile(r"[.!?:;)\"'»”]$")


def _pdf_paragraphs(text: str) -> list[str]:
    """A PDF page's lines regrouped into paragraphs: a text layer has line breaks, rarely blank lines, so a
    paragraph also ends at a short line that finishes a sentence (the last line of a paragraph)."""
    found: list[str] = []
    current: list[str] = []
    lines = [_SPACE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    width = max((len(line) for line in lines), default=0)
    for line in lines:
        if not line:
            if current:
                found.append(" ".join(current))
                current = []
            continue
        if current and current[-1].endswith("-") and line[:1].islower():
            current[-1] = current[-1][:-1] + line  # a word hyphenated across the line break
        else:
            current.append(line)
        if _SENTENCE_END.search(line) and len(line) < 0.7 * width:
            found.append(" ".join(current))
            current = []
    if current:
        found.append(" ".join(current))
    return [p for p in found if p.strip()]


def _docx(path: Path) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except PackageNotFoundError as error:
        raise ExtractionError(f"{path.name} is not a readable DOCX file.") from error
    blocks: list[Block] = []
    heading = ""
    for paragraph in document.paragraphs:
        text = _SPACE.sub(" ", paragraph.text).strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.startswith(("Heading", "Title")):
            heading = text
            continue
        blocks.append(Block(text, None, heading))
    for table in document.tables:
        for row in table.rows:
            cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
            if cells:
                blocks.append(Block(" | ".join(cells), None, heading))
    return _paged(blocks)


_HTML_BLOCKS = frozenset(
    [
        "p",
        "div",
        "li",
        "td",
        "th",
        "tr",
        "br",
        "section",
        "article",
        "blockquote",
        "pre",
        "dd",
        "dt",
        "figcaption",
        "caption",
        "table",
        "ul",
        "ol",
        "hr",
    ]
)
_HTML_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6", "title"])
_HTML_SKIP = frozenset(["script", "style", "noscript", "template", "svg"])


class _HtmlText(HTMLParser):
    """Collects an HTML page's text blocks and headings, leaving scripts and styles out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._heading = ""
        self._text: list[str] = []
        self._skipping = 0
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_SKIP:
            self._skipping += 1
        elif tag in _HTML_HEADINGS:
            self._end_block()
            self._in_heading = True
        elif tag in _HTML_BLOCKS:
            self._end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _HTML_HEADINGS:
            text = _SPACE.sub(" ", "".join(self._text)).strip()
            self._text = []
            self._in_heading = False
            if text:
                self._heading = text
        elif tag in _HTML_BLOCKS:
            self._end_block()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._text.append(data.replace("\n", " "))

    def _end_block(self) -> None:
        if self._in_heading:
            return
        text = _SPACE.sub(" ", "".join(self._text)).strip()
        self._text = []
        if text:
            self.blocks.append(Block(text, None, self._heading))

    def close(self) -> None:
        super().close()
        self._end_block()


def _html_blocks(text: str) -> list[Block]:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    return parser.blocks
