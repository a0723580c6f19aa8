"""Errors of the skills layer (a request a skill can't answer is a spoken reply, not an error)."""

from __future__ import annotations

from models.errors import ArisError


class SkillError(ArisError):
    """Base of the skills layer's errors."""

    code = "skill_error"


class NoSuchListError(SkillError):
    """`lists NAME` for a list that doesn't exist."""

    code = "no_such_list"


class NoSuchTimerError(SkillError):
    """`timers --cancel ID` for a timer that isn't running."""

    code = "no_such_timer"
