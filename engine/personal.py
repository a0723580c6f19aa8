"""Questions about the user that only memory can answer: when memory has nothing, Aris says it doesn't know
instead of letting a small model invent a name ("Your sister's name is Emily")."""

from __future__ import annotations

import re

UNKNOWN_REPLY = "I don't know that yet."
"""What Aris says when no remembered fact answers a question about the user."""

_ABOUT_USER = re.compile(
    r"^(?:(?:and|so|hey|aris|please)[, ]+)*"
    r"(?:(?:what|who|where|when|which|how old|how many|how much|whats|what's|who's|where's)\b.*\bmy\b"
    r"|(?:do|did|am|have|was) i\b(?! (?:need to|have to|make|cook|get to|say|spell|use)\b)"
    r"|(?:what|who) am i\b|(?:what|how) do you know about me\b)",
    re.IGNORECASE,
)


def asks_about_user(text: str) -> bool:
    """Whether ``text`` asks a fact about the user ("what is my sister's name?", "do I have a dog?")."""
    return bool(_ABOUT_USER.search(text.strip()))
