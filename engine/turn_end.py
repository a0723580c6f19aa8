"""Whether a question is over, judged from its speculative transcript: a fixed silence is too long after a
complete question ("What time is it in Tokyo?") and too short in the middle of a thought ("Set a timer
for… ten minutes", "and um…").

Whisper writes what it heard with punctuation: a sentence that ends in ".", "?" or "!" on a word that can
end one is complete; a trailing conjunction, preposition, article, hesitation or number (the rest of it may
still be coming: "ten" → "ten minutes"), or Whisper's own "…", is unfinished; anything else is unsure and
keeps the user's setting. Whisper also "completes" a question cut in its middle ("Add milk and" heard as
"Add meal candy."), but then it is less sure of it: a complete-looking transcript counts as complete only
when its average token log-probability is at least ``MIN_COMPLETE_LOGPROB``."""

from __future__ import annotations

import re
from enum import StrEnum


class TurnEnd(StrEnum):
    """How the question so far ends."""

    COMPLETE = "complete"
    UNFINISHED = "unfinished"
    UNSURE = "unsure"


_HESITATIONS = frozenset({"um", "uh", "uhm", "umm", "er", "erm", "hmm", "mm", "ah", "eh"})
_OPEN_WORDS = frozenset(
    {
        # conjunctions
        "and", "or", "but", "so", "because", "then", "than", "if", "unless", "while",
        # prepositions
        "to", "for", "of", "with", "at", "in", "on", "from", "by", "about", "into", "until", "after",
        "before", "between", "per", "like",
        # articles, possessives, determiners
        "the", "a", "an", "my", "your", "his", "her", "their", "our", "this", "that's", "some", "any",
        # a question or an operation that has only begun
        "is", "are", "was", "what's", "plus", "minus", "times", "divided", "over", "point",
    }
)  # fmt: skip
_NUMBER_WORDS = frozenset(
    {
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
        "thousand", "million", "half", "quarter",
    }
)  # fmt: skip
MIN_COMPLETE_LOGPROB = -0.45
"""Whisper tiny.en on 40 espeak-ng questions: complete ones mostly scored -0.06 to -0.42, questions cut in a
pause and "completed" by Whisper -0.46 to -1.2 (some of those, "Remind me to call my mother.", are complete
sentences by any reading: only the speaker knows)."""
_WORD = re.compile(r"[\w']+")
_NUMBER = re.compile(r"\d+([.,]\d+)?(st|nd|rd|th)?")


def judge_turn_end(transcript: str, avg_logprob: float = 0.0) -> TurnEnd:
    """Whether ``transcript`` (the question so far) reads as a finished question or command; a doubtful
    transcript (Whisper's ``avg_logprob`` below MIN_COMPLETE_LOGPROB) is never complete."""
    text = transcript.strip()
    if not text:
        return TurnEnd.UNSURE
    if text.endswith(("...", "…", ",", "-", "—", ":", ";")):
        return TurnEnd.UNFINISHED
    words = _WORD.findall(text.lower())
    if not words:
        return TurnEnd.UNSURE
    last = words[-1]
    if last in _HESITATIONS or last in _OPEN_WORDS or last in _NUMBER_WORDS or _NUMBER.fullmatch(last):
        return TurnEnd.UNFINISHED
    if text[-1] in ".?!" and avg_logprob >= MIN_COMPLETE_LOGPROB:
        return TurnEnd.COMPLETE
    return TurnEnd.UNSURE
