"""What the pipeline asks before the language model: a skill that answers an everyday request (a timer, the
time, a list, a sum) itself, instantly and without a model call. The skills live in `app/skills`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SkillReply:
    """A skill's answer to one request."""

    skill: str
    """Which skill answered ("timer", "time", "math", …); reported with the turn."""
    text: str
    """What Aris says."""


class SkillHook(Protocol):
    """Anything that may answer a request before the language model does."""

    def handle(self, text: str) -> SkillReply | None:
        """The reply when a skill confidently matches ``text``; None lets the language model answer."""
        ...

    def claims(self, text: str) -> bool:
        """Whether a skill might answer ``text``, decided without acting (no timer set, no list changed):
        the pipeline prepares a model reply ahead only for requests no skill claims."""
        ...
