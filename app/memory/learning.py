"""Learning from a finished turn: the facts and retractions in what the user said, decided against what is
stored (the pipeline hook's ``learn``)."""

from __future__ import annotations

import contextlib
import logging

from app.memory.commands import CommandKind, parse_command
from app.memory.decisions import Decision, decide_retraction
from app.memory.errors import MemoryInputError
from app.memory.extraction import FactExtractor
from app.memory.rules import extract_facts, extract_retractions, is_question, split_sentences
from app.memory.store import MemoryStore

log = logging.getLogger(__name__)

# Subject and possessive forms only: "me"/"us" mostly appear in requests ("tell me more"), which hold no
# facts and would cost a model run (and a retry) after every such turn.
_FIRST_PERSON = frozenset(
    [
        "i",
        "i'm",
        "im",
        "i've",
        "i'd",
        "i'll",
        "my",
        "mine",
        "we",
        "we're",
        "we've",
        "we'll",
        "we'd",
        "our",
        "ours",
    ]
)


class Learner:
    """Keeps what the user's turns say about them."""

    def __init__(self, store: MemoryStore, extractor: FactExtractor | None) -> None:
        """Learn into ``store``; ``extractor`` (a language model) finds facts the rules miss, if given."""
        self.store = store
        self.extractor = extractor

    def learn(self, user_text: str, message_id: str | None = None) -> list[Decision]:
        """Keep what the user's turn says about them; returns the decisions taken (NONE ones included)."""
        if not user_text.strip():
            return []
        command = parse_command(user_text)
        if command is not None:
            # Handled by intercept() during the turn, before the message was logged: link what it stored to
            # the message now, so forgetting the memory later also erases the message that said it.
            if command.kind is CommandKind.REMEMBER and message_id:
                with contextlib.suppress(MemoryInputError):  # nothing was stored; the reply said why
                    self.store.link_source(self.store.candidate(command.body, None).text, message_id)
            return []
        retractions = extract_retractions(user_text)
        candidates = extract_facts(user_text)
        unmatched = statements_without_rule(user_text)
        if self.extractor is not None and unmatched and not retractions:
            result = self.extractor.extract(" ".join(unmatched))
            if result.rejected:
                log.info("The model offered %d fact(s) that were not in the message", len(result.rejected))
            candidates += [c for c in result.facts if all(c.text != known.text for known in candidates)]
        store = self.store
        decisions: list[Decision] = []
        with store.lock:
            for retraction in retractions:
                decision = decide_retraction(
                    retraction, store.same_slot(retraction), store.similar(retraction.text)
                )
                decisions.append(store.apply(decision, message_id))
            for candidate in candidates:
                decisions.append(store.decide_and_apply(candidate, message_id))
        for decision in decisions:
            log.info("Learned: %s (%s)", decision.action, decision.reason)
        return decisions


def statements_without_rule(text: str) -> list[str]:
    """First-person statements that no rule understood: what the language model is asked about."""
    left: list[str] = []
    for part in split_sentences(text):
        words = set(part.lower().replace(",", " ").split())
        if is_question(part) or not words & _FIRST_PERSON or len(words) < 3:
            continue
        if extract_facts(part) or extract_retractions(part):
            continue
        left.append(part)
    return left
