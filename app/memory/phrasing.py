"""Grammatical person: memories are stored in the third person ("The user's sister's name is Alice."), which
reads unambiguously in a prompt; Aris speaks them back in the second person ("your sister's name is Alice")."""

from __future__ import annotations

import re

_ADVERBS = (
    r"(?:really |also |usually |always |never |often |sometimes |just |still |actually |now |currently |"
    r"absolutely |totally |mostly |only |even |recently |finally |already )*"
)

_SAME_IN_THIRD = frozenset(
    [
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "was",
        "had",
        "did",
        "went",
        "got",
        "made",
        "saw",
        "said",
        "bought",
        "met",
        "left",
        "grew",
        "took",
        "came",
        "began",
        "became",
        "lost",
        "found",
        "thought",
        "felt",
        "knew",
        "told",
        "sold",
        "wrote",
        "ran",
        "drove",
        "spoke",
        "flew",
        "ate",
        "drank",
        "broke",
        "kept",
        "paid",
        "sent",
        "spent",
        "built",
        "taught",
        "won",
        "gave",
        "brought",
        "caught",
        "fought",
        "heard",
        "held",
        "led",
        "lent",
        "let",
        "meant",
        "put",
        "read",
        "rode",
        "rose",
        "sang",
        "sat",
        "slept",
        "stood",
        "swam",
        "threw",
        "understood",
        "woke",
        "wore",
        "quit",
        "set",
        "cut",
        "hit",
        "hurt",
        "shut",
        "used",
    ]
)
_IRREGULAR_THIRD = {
    "have": "has",
    "do": "does",
    "go": "goes",
    "am": "is",
    "be": "is",
    "'m": "is",
    "'ve": "has",
}
_IRREGULAR_BASE = {"has": "have", "does": "do", "goes": "go", "is": "are"}


def third_person_verb(verb: str) -> str:
    """The he/she form of a verb that followed "I" ("live" -> "lives", "moved" -> "moved")."""
    lower = verb.lower()
    if lower in _IRREGULAR_THIRD:
        return _IRREGULAR_THIRD[lower]
    if lower in _SAME_IN_THIRD or lower.endswith("ed") or lower.endswith("n't"):
        return verb
    if re.search(r"(s|sh|ch|x|z|o)$", lower):
        return verb + "es"
    if re.search(r"[^aeiou]y$", lower):
        return verb[:-1] + "ies"
    return verb + "s"


def base_verb(verb: str) -> str:
    """The I/you form of a third-person verb ("lives" -> "live", "watches" -> "watch")."""
    lower = verb.lower()
    if lower in _IRREGULAR_BASE:
        return _IRREGULAR_BASE[lower]
    if lower in _SAME_IN_THIRD or lower.endswith("ed") or not lower.endswith("s") or lower.endswith("ss"):
        return verb
    if lower.endswith("ies"):
        return verb[:-3] + "y"
    if re.search(r"(sh|ch|x|z|ss|o)es$", lower):
        return verb[:-2]
    return verb[:-1]


_I_CONTRACTIONS = [
    (re.compile(r"\bI\s*'?m\b(?!\w)", re.I), "the user is"),
    (re.compile(r"\bI\s+am\b", re.I), "the user is"),
    (re.compile(r"\bI\s*'ve\b", re.I), "the user has"),
    (re.compile(r"\bI\s*'ll\b", re.I), "the user will"),
    (re.compile(r"\bI\s*'d\b", re.I), "the user would"),
    (re.compile(r"\bI\s+(don't|do not)\b", re.I), "the user doesn't"),
    (re.compile(r"\bI\s+(can't|cannot)\b", re.I), "the user can't"),
    (re.compile(r"\bI\s+(didn't|did not)\b", re.I), "the user didn't"),
]
_I_VERB = re.compile(rf"\bI\s+({_ADVERBS})([A-Za-z']+)")
_PRONOUNS = [
    (re.compile(r"\bmyself\b", re.I), "themselves"),
    (re.compile(r"\bmine\b", re.I), "the user's"),
    (re.compile(r"\bmy\b", re.I), "the user's"),
    (re.compile(r"\bme\b", re.I), "the user"),
    (re.compile(r"\bI\b"), "the user"),
]


def to_third_person(text: str) -> str:
    """A first-person statement as a stored memory: "I live in Lisbon" -> "The user lives in Lisbon."."""
    out = text.strip()
    for pattern, replacement in _I_CONTRACTIONS:
        out = pattern.sub(replacement, out)
    out = _I_VERB.sub(lambda m: f"the user {m.group(1)}{third_person_verb(m.group(2))}", out)
    for pattern, replacement in _PRONOUNS:
        out = pattern.sub(replacement, out)
    return sentence(out)


_USER_FORMS = [
    (r"the user's", "your", "my"),
    (r"the user is", "you are", "I am"),
    (r"the user was", "you were", "I was"),
    (r"the user doesn't", "you don't", "I don't"),
    (r"the user does not", "you do not", "I do not"),
    (r"themselves", "yourself", "myself"),
]
_USER_VERB = re.compile(rf"\bthe user\s+({_ADVERBS})([A-Za-z']+)", re.I)


def _from_third(text: str, second: bool) -> str:
    out = text.strip()
    for pattern, you, me in _USER_FORMS:
        out = re.sub(rf"\b{pattern}\b", you if second else me, out, flags=re.I)
    subject = "you" if second else "I"
    out = _USER_VERB.sub(lambda m: f"{subject} {m.group(1)}{base_verb(m.group(2))}", out)
    return re.sub(r"\bthe user\b", "you" if second else "me", out, flags=re.I)


def to_second_person(text: str) -> str:
    """A stored memory as Aris says it: "The user lives in Lisbon." -> "you live in Lisbon" (no period,
    lower-case start, ready to follow "I'll remember that")."""
    out = _from_third(text, second=True).rstrip(" .!")
    if out[:1].isupper() and (out.split(" ", 1)[0] in ("You", "Your", "Yourself")):
        out = out[0].lower() + out[1:]
    return out


def to_first_person(text: str) -> str:
    """A third-person fact back in the user's words, so the first-person rules can read it."""
    out = _from_third(text, second=False).strip()
    return out[0].upper() + out[1:] if out else out


def sentence(text: str) -> str:
    """Capitalised, single-spaced, ending with a full stop."""
    out = re.sub(r"\s+", " ", text).strip().rstrip(",;")
    if not out:
        return out
    out = out[0].upper() + out[1:]
    # A closing colon or quote is part of what the user said ("Shopping list:"), not a place for a stop.
    return out if out[-1] in ".!?:\"'" else out + "."
