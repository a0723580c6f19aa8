"""Facts about the user that cannot be true, so a misheard sentence ("Tell me I'm out of the planet Mars")
does not become a memory ("The user is out of the planet Mars"). The turn is still answered."""

from __future__ import annotations

import re

_ELSEWHERE = re.compile(
    r"\b(?:i\s*am|i'?m|i\s+live|i\s+was\s+born|i\s+come|i\s+work|my\s+home\s+is|the\s+user\s+(?:is|lives|was"
    r"\s+born|comes|works))\b[^.?!]*\b(?:on|in|out\s+of|from|at)\s+(?:the\s+)?(?:planet\s+)?"
    r"(?:mars|venus|mercury|jupiter|saturn|uranus|neptune|pluto|moon|sun|outer\s+space)"
    r"(?=\s*(?:[.,!?;]|$|now\b|today\b))",
    re.IGNORECASE,
)
_AGE = re.compile(r"\b(?:i\s*am|i'?m|the\s+user\s+is)\s+(\d{3,})\s+years?\s+old\b", re.IGNORECASE)
_DEAD = re.compile(r"\b(?:i\s*am|i'?m|the\s+user\s+is)\s+(?:already\s+)?dead\s*(?:[.!?]|$)", re.IGNORECASE)
_OLDEST_AGE = 125


def implausible(text: str) -> str | None:
    """Why ``text`` (a user's message or a fact about them) cannot be literally true; None if it can."""
    if _ELSEWHERE.search(text):
        return "people live on Earth"
    age = _AGE.search(text)
    if age and int(age.group(1)) > _OLDEST_AGE:
        return f"nobody is {age.group(1)} years old"
    if _DEAD.search(text):
        return "the user is alive: they are talking"
    return None
