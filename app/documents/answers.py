"""The documents as the voice pipeline asks them (engine.documents.DocumentHook): the passages that answer a
question, as many as the language model's prompt has room for. The index opens on the first question, and
only when the user has added a folder."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.documents.library import DocumentLibrary
from app.documents.vectors import Embedder
from engine.documents import Source

log = logging.getLogger(__name__)

SMALL_CONTEXT = 2048
"""The built-in model's context window (as memory's ``RankSettings.for_context``)."""


@dataclass(frozen=True)
class AnswerSettings:
    """How many passages go into the prompt."""

    limit: int = 2
    """At most this many passages."""
    prompt_chars: int = 1600
    """Room for passages in the prompt, in characters (~4 a token); the first passage always goes in. The
    built-in 135M model reads two paragraphs well and loses the thread in more."""
    quote: bool = True
    """Read the best passage out rather than have the model paraphrase it (``PipelineSettings.quote_documents``):
    the built-in model's paraphrases said things the passage does not."""

    @classmethod
    def for_context(cls, context_tokens: int) -> AnswerSettings:
        """Two passages for the built-in model; a larger window gets up to a quarter of it, five at most."""
        if context_tokens <= SMALL_CONTEXT:
            return cls()
        return cls(limit=5, prompt_chars=min(12_000, context_tokens), quote=False)


class DocumentAnswers:
    """Finds the passages for a question in the user's documents; safe to call from the turn's threads."""

    def __init__(
        self,
        database: Path,
        embedder: Callable[[], Embedder],
        settings: AnswerSettings | None = None,
    ) -> None:
        self.database = database
        self._embedder = embedder
        self.settings = settings or AnswerSettings()
        self._library: DocumentLibrary | None = None
        self._lock = threading.Lock()

    def _open(self) -> DocumentLibrary | None:
        with self._lock:
            if self._library is None and self.database.exists():
                self._library = DocumentLibrary.open(self.database, self._embedder())
            return self._library

    def passages(self, question: str) -> list[Source]:
        """The passages that answer ``question``, best first, within the prompt's room; none without
        documents or below the relevance threshold. A failing index costs the passages, not the answer."""
        from app.storage.errors import StorageError

        try:
            library = self._open()
            found = library.search(question) if library is not None else []
        except StorageError as error:
            log.warning("Could not search the documents: %s", error.message)
            return []
        chosen: list[Source] = []
        spent = 0
        for passage in found[: self.settings.limit]:
            if chosen and spent + len(passage.text) > self.settings.prompt_chars:
                break
            chosen.append(Source(passage.path, passage.page, passage.text, passage.heading))
            spent += len(passage.text)
        return chosen

    def close(self) -> None:
        """Release the index."""
        with self._lock:
            if self._library is not None:
                self._library.close()
                self._library = None
