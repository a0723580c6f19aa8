"""Passages from the user's documents, as a turn uses them: placed in the prompt and returned with the turn as
its sources (the search itself lives in app/documents)."""

from __future__ import annotations

import re
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

NOT_FOUND_REPLY = "I didn't find that in your documents."
"""What Aris says when a question names the user's documents and no passage answers it: a small model
would otherwise invent what the lease or the manual says."""

_ABOUT_DOCUMENTS = re.compile(
    r"\b(?:my|our) (?:documents?|docs|files?|notes|manuals?|lease|contracts?|letters?|pdfs?|papers|reports?|"
    r"invoices?|policy|policies|warranty|instructions)\b"
    r"|\b(?:in|from|according to) the (?:documents?|manual|lease|contract|instructions)\b",
    re.IGNORECASE,
)


def asks_about_documents(text: str) -> bool:
    """Whether ``text`` asks what the user's own documents say ("what does my lease say about pets?",
    "according to the manual, …"): then only a passage may answer it."""
    return _ABOUT_DOCUMENTS.search(text) is not None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[^\W_]+")
QUOTE_CHARS = 260
"""A read-out answer stops adding sentences after this many characters (about fifteen seconds of speech)."""


def word_stems(text: str) -> set[str]:
    """Words of three letters or more, cut to five letters: "descale" and "descaling" meet as "desca"."""
    return {word[:5] for word in _WORD.findall(text.lower()) if len(word) > 2}


def sentences_of(text: str) -> list[str]:
    """A passage's sentences."""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def best_sentence_overlap(question: str, text: str) -> int:
    """How many of the question's words (by ``word_stems``) the passage's closest sentence shares."""
    asked = word_stems(question)
    return max((len(asked & word_stems(s)) for s in sentences_of(text)), default=0)


def quoted_answer(question: str, source: Source) -> str:
    """An answer read out of the passage: the sentence that shares the most words with the question and the
    ones after it, up to ``QUOTE_CHARS``, after the document's name (and page), so the listener hears
    where it comes from. For a small model, which paraphrases a passage into something it does not say."""
    sentences = sentences_of(source.text)
    asked = word_stems(question)
    best = max(range(len(sentences)), key=lambda i: (len(asked & word_stems(sentences[i])), -i), default=0)
    chosen: list[str] = []
    for sentence in sentences[best:]:
        if chosen and sum(len(c) + 1 for c in chosen) + len(sentence) > QUOTE_CHARS:
            break
        chosen.append(sentence)
    name = PurePath(source.path).stem.replace("_", " ").replace("-", " ")
    where = f"{name}, page {source.page}" if source.page else name
    return f"From {where}: {' '.join(chosen)}"
