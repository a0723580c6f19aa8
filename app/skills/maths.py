"""Spoken sums ("seventeen times three", "15 percent of 80", "square root of two"), answered exactly."""

from __future__ import annotations

from app.skills.arithmetic import NoAnswerError, NotArithmeticError, evaluate
from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch
from app.skills.numbers import to_digits
from app.skills.speech import say_number

_OPERATORS = (
    "plus",
    "minus",
    "times",
    "divided",
    "multiplied",
    "percent",
    "%",
    "root",
    "squared",
    "cubed",
    "power",
    "+",
    "-",
    "*",
    "/",
    "^",
    "x",
    "over",
    "half",
    "quarter",
    "twice",
)


def calculate(match: IntentMatch, ctx: SkillContext) -> str | None:
    """The result, or None when the words aren't a sum (then the model answers)."""
    expression = str(match.slots.get("expression", ""))
    words = to_digits(expression.lower()).replace("(", " ").split()
    if not any(op in words for op in _OPERATORS) and "square root" not in expression:
        return None
    try:
        result = evaluate(expression)
    except NotArithmeticError:
        return None
    except NoAnswerError as error:
        return str(error)
    return f"That's {say_number(result.value)}."
