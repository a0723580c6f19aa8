"""Spoken lengths of time ("ten minutes", "an hour and a half", "1 hour 30 minutes") to seconds."""

from __future__ import annotations

import re

from app.skills.numbers import to_digits

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(-?\d+(?:\.\d+)?)\s*(days?|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b")


def parse_duration(text: str) -> float | None:
    """Seconds the phrase says (may be zero or negative: the caller explains why that won't do), or None
    when it isn't a length of time at all."""
    spoken = to_digits(text.lower().replace("-", " ") if "minus" not in text else text.lower())
    spoken = re.sub(r"\b(minus|negative)\s+", "-", spoken)
    spoken = re.sub(r"\bhalf an hour\b|\b0\.5 hour\b", "30 minutes", spoken)
    spoken = re.sub(r"\b(1|an?) hour and (a )?half\b", "90 minutes", spoken)
    spoken = re.sub(r"\bquarter of an hour\b", "15 minutes", spoken)
    total = 0.0
    found = False
    for number, unit in _PART.findall(spoken):
        total += float(number) * _UNITS[unit[0]]
        found = True
    rest = _PART.sub("", spoken)
    rest = re.sub(r"\b(and|a|an|for|of|the|just|about|only)\b|[,]", "", rest).strip()
    if not found or rest:
        return None
    return total
