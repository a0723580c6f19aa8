"""Spoken numbers to digits ("seventeen" → 17, "two point five" → 2.5) with text2num, plus the few words it
leaves alone (a half, a dozen), so every skill reads numbers the same way."""

from __future__ import annotations

import re

from text_to_num import alpha2digit

_FRACTIONS = {
    "and a half": 0.5,
    "and a quarter": 0.25,
    "and three quarters": 0.75,
}
_WORDS = {
    "a half": "0.5",
    "half an": "0.5",
    "half a": "0.5",
    "a quarter": "0.25",
    "a dozen": "12",
    "a couple of": "2",
}
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")


def to_digits(text: str) -> str:
    """``text`` with every spoken number written in digits ("one and a half" → "1.5")."""
    text = alpha2digit(text.replace(",", ""), "en", threshold=0)
    for words, value in _FRACTIONS.items():

        def plus_fraction(found: re.Match[str], fraction: float = value) -> str:
            return _fmt(float(found.group(1)) + fraction)

        text = re.sub(rf"(\d+(?:\.\d+)?) {words}\b", plus_fraction, text)
    for words, digits in _WORDS.items():
        text = re.sub(rf"\b{words}\b", digits, text)
    text = re.sub(r"\ban? (\w+) and a half\b", r"1.5 \1", text)
    text = re.sub(r"\b(an?|one) (hour|minute|second|day|week)\b", r"1 \2", text)
    return text


def parse_number(text: str) -> float | None:
    """The single number ``text`` says ("twenty five", "2.5", "minus three"), or None."""
    digits = to_digits(text.strip().lower())
    digits = re.sub(r"^(minus|negative)\s+", "-", digits)
    match = _NUMBER.fullmatch(digits.strip())
    return float(match.group()) if match else None


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
