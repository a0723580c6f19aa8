"""Turning what a person typed or said into a safe FTS5 query."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren aris as at be because been before being
    below between both but by can could d did didn do does doesn doing don down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is isn it its
    itself just know ll m me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own please re remember s same she should so some such t tell than that the their
    theirs them themselves then there these they this those through to too under until up user users ve
    very was wasn we were what what's whats when where which while who whom why will with would you your
    yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads better as text
)
"""Words that say nothing about which memory is meant. "user" is here because stored memories are phrased
"The user ...": it matches every row."""


def content_words(text: str) -> list[str]:
    """The lower-cased words of ``text`` that carry meaning, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)


def fts_query(text: str, max_terms: int = 8, joiner: str = " OR ") -> str:
    """An FTS5 MATCH expression joining the content words (OR by default), each quoted so no FTS syntax gets
    through."""
    words = content_words(text)[:max_terms]
    return joiner.join(f'"{word}"' for word in words)
