"""The time and date, here or in any city or zone ("It's 4:05 PM in Tokyo, Tuesday.")."""

from __future__ import annotations

from datetime import datetime

from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch
from app.skills.places import zone_in_phrase
from app.skills.speech import say_day, say_time


def time_here(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Local time."""
    return f"It's {say_time(ctx.local_now())}."


def time_in(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Time in a named place; an unknown place gets a clear answer rather than a guess."""
    place = str(match.slots.get("place", "")).strip()
    if not place or len(place.split()) > 4:
        return None
    found = zone_in_phrase(place)
    if found is None:
        if place in ("here", "my city", "my time zone"):
            return time_here(match, ctx)
        return f"Sorry, I don't know the time zone of {place.title()}. Try a nearby big city."
    name, zone = found
    there = datetime.fromtimestamp(ctx.now(), zone)
    return f"It's {say_time(there)} in {name}, {there:%A}."


def date_today(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Today's date."""
    now = ctx.local_now()
    return f"Today is {say_day(now)}, {now.year}."
