"""Spoken memory commands ("remember that …", "forget …", "what do you know about …") and the replies Aris
says back. The words come from the store; nothing here writes SQL or touches the index."""

from __future__ import annotations

from app.memory.commands import CommandKind, MemoryCommand, parse_command
from app.memory.decisions import Action, decide_retraction
from app.memory.errors import MemoryInputError
from app.memory.phrasing import to_second_person, to_third_person
from app.memory.rules import extract_retractions
from app.memory.store import MemoryStore


class SpokenCommands:
    """Runs a spoken memory command and phrases the answer."""

    def __init__(self, store: MemoryStore) -> None:
        """Answer from ``store``."""
        self.store = store

    def intercept(self, user_text: str) -> str | None:
        """The spoken reply to an explicit memory command, or None for an ordinary turn."""
        command = parse_command(user_text)
        if command is None:
            return None
        with self.store.lock:
            return self._run(command)

    def _run(self, command: MemoryCommand) -> str:
        if command.kind is CommandKind.REMEMBER:
            return self._remember(command.body)
        if command.kind is CommandKind.FORGET:
            forgotten = self.store.matching(command.body)
            if not forgotten:
                return f"I don't have anything about {spoken(command.body)} to forget."
            self.store.forget(forgotten)
            # The reply does not repeat what was forgotten: it stays in the session's history and the
            # model would read the fact back from there.
            count = len(forgotten)
            return "OK, I've forgotten that." if count == 1 else f"OK, I've forgotten those {count} things."
        if command.kind is CommandKind.FORGET_ALL:
            count = self.store.forget_all()
            if count == 0:
                return "I don't have any memories to forget."
            return f"OK, I've forgotten everything you told me ({count} thing{'s' if count > 1 else ''})."
        return self._describe(command.body)

    def _remember(self, body: str) -> str:
        store = self.store
        retractions = extract_retractions(body)
        if retractions:
            retraction = retractions[0]
            decision = decide_retraction(
                retraction, store.same_slot(retraction), store.similar(retraction.text)
            )
            store.apply(decision, None)
            if decision.action is Action.DELETE:
                return f"OK, I'll remember that it's no longer true that {to_second_person(decision.candidate.text)}."
        try:
            candidate = store.candidate(body, None)
        except MemoryInputError as error:
            return error.message
        decision = store.decide_and_apply(candidate, None)
        said = to_second_person(candidate.text)
        if decision.action is Action.NONE:
            return f"I already know that {said}."
        if decision.action is Action.UPDATE:
            return f"Got it, I've updated that: {said}."
        return f"OK, I'll remember that {said}."

    def _describe(self, topic: str) -> str:
        store, rank = self.store, self.store.rank
        if topic:
            found = store.search(topic, limit=5)
            best = max((r.similarity for r in found), default=0.0)
            floor = max(rank.min_similarity, best - rank.margin)
            # Memories that name the topic are the answer; closeness in meaning only stands in when none do
            # ("Samantha" is near "my sister" for MiniLM).
            named = [r.memory for r in found if r.text_rank is not None]
            memories = named or [r.memory for r in found if r.similarity >= floor]
            if not memories:
                return f"I don't know anything about {spoken(topic)} yet."
        else:
            memories = store.memories(limit=6)
            if not memories:
                return "I don't know anything about you yet. Tell me, and I'll remember."
        shown = [to_second_person(m.text) for m in memories[:5]]
        total = len(memories) if topic else store.rows.live_count()
        text = "Here's what I know: " + "; ".join(shown) + "."
        if total > len(shown):
            more = total - len(shown)
            text += f" And {more} more thing{'s' if more > 1 else ''}."
        return text


def spoken(phrase: str) -> str:
    """The user's words about themselves as Aris says them back ("my car" -> "your car")."""
    return to_second_person(to_third_person(phrase)).rstrip(".")
