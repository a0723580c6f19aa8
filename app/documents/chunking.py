"""Cutting a document's paragraphs into passages: about a paragraph each, so that a citation points at the
few sentences that hold the answer, and short enough for the embedder (MiniLM reads 256 tokens, ~1,000
characters, and ignores the rest)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.documents.extract import Block


@dataclass(frozen=True)
class ChunkSettings:
    """How paragraphs become passages."""

    min_chars: int = 200
    """A paragraph shorter than this (a list item, a one-line note) joins the next one under the same heading
    and page: alone it says too little to be found or to answer anything."""
    max_chars: int = 1200
    """A longer paragraph is cut at sentence ends into passages of about this size."""

    def __post_init__(self) -> None:
        if not 0 < self.min_chars < self.max_chars:
            raise ValueError(f"need 0 < min_chars < max_chars, got {self.min_chars}, {self.max_chars}")


@dataclass(frozen=True)
class Chunk:
    """One passage: its text, page (1-based, None without pages) and heading."""

    text: str
    page: int | None
    heading: str


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(“])")


def chunk_blocks(blocks: Iterable[Block], settings: ChunkSettings | None = None) -> list[Chunk]:
    """The passages of a document's paragraphs, in order."""
    settings = settings or ChunkSettings()
    chunks: list[Chunk] = []
    pending: list[str] = []
    where: tuple[int | None, str] | None = None

    def flush() -> None:
        if pending and where is not None:
            chunks.append(Chunk(" ".join(pending), where[0], where[1]))
        pending.clear()

    for block in blocks:
        place = (block.page, block.heading)
        if place != where:
            flush()
            where = place
        for piece in _split_long(block.text, settings.max_chars):
            pending.append(piece)
            if sum(len(p) + 1 for p in pending) >= settings.min_chars:
                flush()
    flush()
    return chunks


def _split_long(text: str, max_chars: int) -> list[str]:
    """``text`` cut at sentence ends into pieces of at most about ``max_chars`` (a sentence longer than that
    stays whole)."""
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE.split(text):
        if current and len(current) + 1 + len(sentence) > max_chars:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces
