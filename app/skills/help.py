"""The answer to "what can you do?": short enough to listen to."""

from __future__ import annotations

from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch

OVERVIEW = (
    "I can set timers and reminders, tell you the time here or in any city, and today's date. "
    "I keep your shopping, to-do and other lists, do sums and convert units. "
    "And you can ask me anything else, or tell me things to remember."
)


def overview(match: IntentMatch, ctx: SkillContext) -> str | None:
    """A short spoken overview of the skills."""
    return OVERVIEW


def never_mind(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "Never mind": acknowledge and drop anything pending."""
    ctx.pending = None
    return "Okay."
