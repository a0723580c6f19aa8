"""What a new fact does to the memories already stored: add, update (supersede), delete, or nothing.

mem0 asks the language model to choose; a 135M model cannot be trusted with that, so the choice is made from
what the rules know (the fact's slot and value) and from embedding similarity. An update never overwrites: the
old memory is kept as hidden history (Zep/Graphiti do the same), so a wrong update can be undone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.memory.rules import Candidate
from app.storage.fts import content_words
from app.storage.records import Memory

DUPLICATE_SIMILARITY = 0.92
"""Cosine similarity above which two memories say the same thing (MiniLM: paraphrases score 0.9+)."""
RETRACT_SIMILARITY = 0.80
"""How close a stored memory must be to "what no longer holds" for a slot-less retraction to remove it."""


class Action(StrEnum):
    """mem0's four outcomes."""

    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"
    NONE = "none"


@dataclass(frozen=True)
class Decision:
    """The outcome for one candidate; ``targets`` are the stored memories it replaces, removes or repeats."""

    action: Action
    candidate: Candidate
    targets: tuple[Memory, ...] = ()
    reason: str = ""


def normalised(text: str) -> str:
    """Text compared for exact repeats: lower case, words only."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def decide(
    candidate: Candidate, same_slot: Sequence[Memory], similar: Sequence[tuple[Memory, float]]
) -> Decision:
    """Decide for a fact the user stated.

    Args:
        candidate: the new fact (stored form).
        same_slot: live memories with the candidate's slot (empty when it has none).
        similar: live memories nearest to the candidate, with cosine similarity, best first.
    """
    key = normalised(candidate.text)
    for memory in [*(m for m, _ in similar), *same_slot]:
        if normalised(memory.text) == key:
            return Decision(Action.NONE, candidate, (memory,), "already stored")
    if same_slot:
        value = normalised(candidate.value or "")
        same_value = [m for m in same_slot if value and value in normalised(m.text)]
        if same_value and _adds_nothing(candidate.text, same_value[0].text):
            return Decision(Action.NONE, candidate, (same_value[0],), "same value, said differently")
        return Decision(Action.UPDATE, candidate, tuple(same_slot), "replaces what was known about this")
    if similar and similar[0][1] >= DUPLICATE_SIMILARITY:
        # Close in meaning is not enough: "locker 3 is at gate 21" and "locker 2 is at gate 14" score 0.95.
        # Only a restatement (no new words) or a strictly richer version (all the old words and more) counts.
        memory, similarity = similar[0]
        if _adds_nothing(candidate.text, memory.text):
            return Decision(Action.NONE, candidate, (memory,), f"duplicate (similarity {similarity:.2f})")
        if _adds_nothing(memory.text, candidate.text):
            return Decision(
                Action.UPDATE, candidate, (memory,), f"richer version (similarity {similarity:.2f})"
            )
    return Decision(Action.ADD, candidate, (), "new")


def decide_retraction(
    retraction: Candidate, same_slot: Sequence[Memory], similar: Sequence[tuple[Memory, float]]
) -> Decision:
    """Decide for a fact the user says no longer holds (``retraction`` is its positive form)."""
    if retraction.slot:
        value = normalised(retraction.value or "")
        targets = [m for m in same_slot if not value or value in normalised(m.text)]
        if targets:
            return Decision(Action.DELETE, retraction, tuple(targets), "the user said it no longer holds")
    targets = [m for m, similarity in similar if similarity >= RETRACT_SIMILARITY]
    if targets:
        return Decision(Action.DELETE, retraction, tuple(targets[:1]), "the user said it no longer holds")
    return Decision(Action.NONE, retraction, (), "nothing stored to retract")


def _adds_nothing(new: str, old: str) -> bool:
    """True if every meaningful word and every number of ``new`` is already in ``old``."""
    return _words(new) <= _words(old)


def _words(text: str) -> set[str]:
    return set(content_words(text)) | set(re.findall(r"\d+", text))
