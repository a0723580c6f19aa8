"""Passages from the user's documents, as a turn uses them: placed in the prompt and returned with the turn as
its sources (the search itself lives in app/documents)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol


@dataclass(frozen=True)
class Source:
    """A passage an answer used: the file, its page (1-based; None for files without pages) and the text."""

    path: str
    page: int | None
    text: str
    heading: str = ""

    def label(self) -> str:
        """How the prompt names the passage: the file's name, and the page when it has one."""
        name = PurePath(self.path).name
        return f"{name}, page {self.page}" if self.page else name


class DocumentHook(Protocol):
    """What the pipeline needs from the documents index (implemented in app/documents)."""

    def passages(self, question: str) -> Sequence[Source]:
        """The passages that answer ``question``, best first; empty when the documents do not."""
        ...


DOCUMENTS_HEADER = "Passages from the user's documents (answer from them and name the document):"
