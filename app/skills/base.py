"""What every skill gets: the matched intent, the clock and the store; and what it returns."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from app.skills.matcher import IntentMatch
from app.skills.store import SkillStore


@dataclass
class SkillContext:
    """Shared by the skills of one session: the clock, the store (opened on first use) and what a skill
    asked the user to confirm ("clear your shopping list?")."""

    open_store: Callable[[], SkillStore]
    now: Callable[[], float] = time.time
    pending: Callable[[bool], str] | None = None
    """Runs with True on "yes", False on "no", right after a skill asked first."""
    awaiting: Callable[[str], str | None] | None = None
    """Completes a request with the next utterance after a skill asked for what was missing ("For how
    long?"); returns None when the utterance doesn't fit, and it is then a new request."""
    awaiting_skill: str = ""
    _store: SkillStore | None = field(default=None, repr=False)

    @property
    def store(self) -> SkillStore:
        """The timer and list store."""
        if self._store is None:
            self._store = self.open_store()
        return self._store

    def local_now(self) -> datetime:
        """Now in the computer's time zone."""
        return datetime.fromtimestamp(self.now()).astimezone()


class SkillHandler(Protocol):
    """Answers one intent; None means "not mine after all" and the next match (or the model) answers."""

    def __call__(self, match: IntentMatch, ctx: SkillContext) -> str | None:
        """The spoken reply."""
        ...
