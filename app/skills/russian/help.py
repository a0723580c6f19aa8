"""What Aris can do, said in Russian."""

from __future__ import annotations

from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch


def overview(match: IntentMatch, ctx: SkillContext) -> str | None:
    """A short list of the skills with an example of each."""
    return (
        "Я могу сказать время и дату, в том числе в других городах, поставить таймер или будильник, "
        "напомнить о деле, вести списки покупок и дел, посчитать и перевести единицы. "
        "Например: поставь таймер на пять минут, или: сколько будет 15% от 68."
    )


def offline(match: IntentMatch, ctx: SkillContext) -> str | None:
    """The weather and exchange rates need the internet, which Aris doesn't use: say so rather than let the
    model make them up."""
    if match.slots.get("topic") == "курс":
        return "Без интернета я не могу узнать курс валют."
    return "Без интернета я не могу узнать погоду."
