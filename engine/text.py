"""Text between the model and the voice: cutting a token stream into sentences, and removing what should
not be read aloud (markdown, emoji, URLs)."""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "u.s",
        "no",
        "approx",
        "dept",
        "est",
        "fig",
        "inc",
        "ltd",
        "co",
        "mt",
    ]
)
_SENTENCE_END = re.compile(r"""([.!?…]+["')\]]*)(\s+)""")
_CLAUSE_END = re.compile(r"""([,;:—–])(\s+)""")
_MARKDOWN = re.compile(r"(\*\*|__|\*|`+|^#+\s*|^\s*[-*•]\s+|^\s*\d+\.\s+)", re.MULTILINE)
_URL = re.compile(r"https?://\S+")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
_SPACES = re.compile(r"\s+")


def speakable(text: str) -> str:
    """The text as it should be read aloud."""
    text = _URL.sub("a link", text)
    text = _MARKDOWN.sub("", text)
    text = _EMOJI.sub("", text)
    return _SPACES.sub(" ", text).strip()


class SentenceSplitter:
    """Feed tokens as they stream in; get whole sentences back as soon as they are complete.

    The first sentence is cut at its first clause boundary so the listener hears something sooner: piper
    synthesizes a whole chunk before any of it plays, and its time grows with the chunk's length.
    """

    def __init__(self, first_clause_chars: int = 12) -> None:
        """Args:
        first_clause_chars: a comma, semicolon, colon or dash at least this many characters into the first
            sentence ends it (about three words: a lone "Well," is not worth a chunk of its own).
        """
        self.first_clause_chars = first_clause_chars
        self._buffer = ""
        self._emitted = 0

    def feed(self, token: str) -> list[str]:
        """Add a token; return the sentences it completed."""
        self._buffer += token
        sentences: list[str] = []
        while True:
            cut = self._find_cut()
            if cut is None:
                break
            sentence, self._buffer = self._buffer[:cut].strip(), self._buffer[cut:]
            if speakable(sentence):
                sentences.append(sentence)
                self._emitted += 1
        return sentences

    def flush(self) -> list[str]:
        """Whatever is left when the stream ends."""
        rest, self._buffer = self._buffer.strip(), ""
        return [rest] if speakable(rest) else []

    def _find_cut(self) -> int | None:
        for match in _SENTENCE_END.finditer(self._buffer):
            before = self._buffer[: match.start(1)]
            if match.group(1).startswith(".") and _is_abbreviation_or_number(
                before, self._buffer[match.end() :]
            ):
                continue
            return match.end(1)
        newline = self._buffer.find("\n")
        if newline > 0 and self._buffer[:newline].strip():
            return newline + 1
        if self._emitted == 0:
            for match in _CLAUSE_END.finditer(self._buffer):
                if len(self._buffer[: match.start(1)].strip()) >= self.first_clause_chars:
                    return match.end(1)
        return None


def _is_abbreviation_or_number(before: str, after: str) -> bool:
    word = before.rsplit(None, 1)[-1].lower() if before.strip() else ""
    if word.rstrip(".") in _ABBREVIATIONS:
        return True
    # A single capital initial ("J. R. R. Tolkien").
    if len(word) == 1 and word.isalpha() and after[:1].isupper():
        return True
    return bool(word) and word[-1].isdigit() and after[:1].isdigit()
