"""Judging what speech recognition heard, with margin.

faster-whisper's int8 kernels give slightly different transcripts on different CPUs (espeak-ng's "Remind me to
buy milk tomorrow." is "Remind me to my milk tomorrow." on AMD EPYC, every time), so a recognition test never
hangs on one word: it asks for most of the sentence's content words, numbers compared as digits."""

from __future__ import annotations

import re

import numpy as np
from text_to_num import alpha2digit

FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "am",
        "be",
        "to",
        "of",
        "me",
        "my",
        "i",
        "you",
        "it",
        "for",
        "in",
        "on",
        "at",
        "and",
        "or",
        "what",
        "how",
        "do",
        "does",
        "please",
    ]
)
"""Words that carry no content of the request; recognisers drop and swap them freely."""

MOST = 0.6
"""Share of a sentence's content words a recognition test asks for: one word in three may be misheard."""


def words(text: str) -> list[str]:
    """Lower-case words with numbers as digits ("five" and "5" are the same word here)."""
    return re.findall(r"[a-z0-9']+", alpha2digit(text.lower(), "en"))


def content_words(text: str) -> set[str]:
    """The words of ``text`` that carry its meaning."""
    return set(words(text)) - FUNCTION_WORDS


def heard_share(said: str, heard: str) -> float:
    """Share of what was said's content words that are in what was heard."""
    wanted = content_words(said)
    return len(wanted & set(words(heard))) / max(1, len(wanted))


def assert_heard(said: str, heard: str, *, at_least: float = MOST) -> None:
    """Fails unless most of the content words said were heard."""
    share = heard_share(said, heard)
    assert share >= at_least, f"heard {heard!r} for {said!r}: {share:.0%} of the content words"


def speech_span_seconds(audio: np.ndarray, rate: int = 16_000, threshold: float = 0.02) -> float:
    """Seconds from the first to the last loud sample: how much of an utterance a recording holds, whatever
    a recogniser makes of it."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return float(loud[-1] - loud[0]) / rate if loud.size else 0.0
