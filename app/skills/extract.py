"""Slots read from free text, for requests the templates did not match word for word: fillers around the
request, durations, list names and items, places with extra words, and the days people ask about."""

from __future__ import annotations

import re
from datetime import date, timedelta

from app.skills.numbers import to_digits
from app.skills.places import find_zone
from app.skills.when import MONTHS

FILLERS = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|um|uh|well|now|alright|quick question|excuse me|aris|olly|google|siri|alexa)[, ]+"
    r"|(?:can|could|would|will) you(?: please)?(?: tell me| let me know| check| find out| say)?[, ]+"
    r"|please[, ]+(?:tell me|let me know|say)?[, ]*"
    r"|i (?:want|wanna|need|would like|'d like|was wondering)"
    r"(?: to (?:know|find out|ask)| know| you to| if you could| to)?[, ]+"
    r"|i wanna know[, ]+|tell me[, ]+|let me know[, ]+|do you know[, ]+|(?:any )?idea[, ]+)",
)
"""Words around a request that change nothing about it ("i wanna know how many pounds are in 10 kilos")."""

_DURATION = re.compile(
    r"(?:\d+(?:\.\d+)?\s*(?:days?|hours?|hrs?|minutes?|mins?|seconds?|secs?)\b(?:\s*(?:and\s+)?)?)+"
)

HOLIDAYS = {
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "christmas": (12, 25),
    "new year's eve": (12, 31),
    "new years eve": (12, 31),
    "new year's day": (1, 1),
    "new year's": (1, 1),
    "new years": (1, 1),
    "new year": (1, 1),
    "halloween": (10, 31),
    "valentine's day": (2, 14),
    "valentines day": (2, 14),
    "boxing day": (12, 26),
    "independence day": (7, 4),
}
"""Fixed-date holidays people ask about ("how many days until Christmas")."""

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = "|".join(MONTHS)


def strip_fillers(text: str) -> str:
    """The request without the words around it, lower case."""
    text = text.lower().replace("\u2019", "'").strip(" ?.!,")
    while True:
        shorter = FILLERS.sub("", text, count=1).strip(" ?.!,")
        shorter = re.sub(r"[, ]+(?:please|for me|right now|thanks|thank you)$", "", shorter).strip(" ?.!,")
        if shorter == text or not shorter:
            return text
        text = shorter


def find_duration(text: str) -> str | None:
    """The length of time a sentence names ("a timer for ten minutes please" → "10 minutes")."""
    spoken = to_digits(text.lower().replace("-", " "))
    spoken = re.sub(r"\bhalf an hour\b", "30 minutes", spoken)
    spoken = re.sub(r"\b(\d+) and a half hours?\b", lambda m: f"{int(m.group(1)) * 60 + 30} minutes", spoken)
    found = [m.group(0).strip() for m in _DURATION.finditer(spoken)]
    return max(found, key=len) if found else None


def timer_name(text: str) -> str:
    """The name in "cancel the egg timer" ("egg"), or ""."""
    found = re.search(r"\b([a-z]+(?: [a-z]+)?) timer\b", text.lower())
    if not found:
        return ""
    words = [
        w
        for w in found.group(1).split()
        if w
        not in {"a", "an", "the", "my", "this", "that", "set", "start", "stop", "cancel", "minute", "hour"}
        and not w.isdigit()
    ]
    return " ".join(words[-1:])


def list_name_of(spoken: str) -> str:
    """The stored name of a list as people say it ("things to do" → "to-do", "grocery" → "shopping")."""
    from app.skills.lists import list_name

    name = re.sub(r"^(my|the|our|a|an)\s+", "", spoken.strip().lower())
    name = re.sub(r"\s+list$", "", name)
    return list_name(name)


def singular(word: str) -> str:
    """ "eggs" → "egg", "tomatoes" → "tomato": enough to find an item or timer said the other way."""
    word = word.strip().lower()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("oes", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def same_thing(a: str, b: str) -> bool:
    """Whether two item or timer names mean the same, singular or plural ("egg" and "eggs")."""
    words_a = [singular(w) for w in re.findall(r"[\w'-]+", a.lower()) if w not in {"the", "a", "an", "some"}]
    words_b = [singular(w) for w in re.findall(r"[\w'-]+", b.lower()) if w not in {"the", "a", "an", "some"}]
    return bool(words_a) and words_a == words_b


def find_place(text: str) -> tuple[str, str] | None:
    """(the place as said, the name found in the zone table) in "what time is it in adelaide, australia":
    the whole phrase is tried, then shorter pieces of it (before a comma, its first words)."""
    found = re.search(r"\b(?:in|at|for|of)\s+(?:the\s+)?([a-z][a-z .,'-]*)$", text.lower().strip(" ?.!"))
    if not found:
        return None
    phrase = re.sub(
        r"\b(right now|now|currently|at the moment|today|please|time ?zone|timezone|zone|time|area|region)\b",
        " ",
        found.group(1),
    )
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,.")
    if not phrase:
        return None
    for candidate in _pieces(phrase):
        zone = find_zone(candidate) or find_zone(f"{candidate} time")
        if zone is not None:
            return phrase, candidate if find_zone(candidate) else f"{candidate} time"
    return phrase, ""


def _pieces(phrase: str) -> list[str]:
    pieces = [phrase, phrase.split(",", maxsplit=1)[0].strip()]
    words = phrase.replace(",", " ").split()
    pieces += [" ".join(words[:n]) for n in range(min(len(words), 3), 0, -1)]
    pieces += [" ".join(words[-n:]) for n in range(min(len(words), 2), 0, -1)]
    return [p for p in dict.fromkeys(pieces) if p]


def find_day(text: str, today: date) -> tuple[date, str] | None:  # noqa: PLR0911 - one branch per way to say a day
    """The day a question is about and how to say it ("tomorrow", "next friday", "christmas", "in 5 days"),
    or None for today."""
    spoken = to_digits(text.lower())
    if re.search(r"\bday after tomorrow\b", spoken):
        return today + timedelta(days=2), "The day after tomorrow"
    if re.search(r"\btomorrow\b", spoken):
        return today + timedelta(days=1), "Tomorrow"
    if re.search(r"\byesterday\b", spoken):
        return today - timedelta(days=1), "Yesterday"
    ahead = re.search(r"\bin (\d+) (day|week)s?\b", spoken)
    if ahead:
        days = int(ahead.group(1)) * (7 if ahead.group(2) == "week" else 1)
        return today + timedelta(
            days=days
        ), f"In {ahead.group(1)} {ahead.group(2)}{'s' if ahead.group(1) != '1' else ''}"
    calendar_day = _calendar_day(spoken, today)
    if calendar_day is not None:
        return calendar_day
    for name, (month, day) in HOLIDAYS.items():
        if re.search(rf"\b{re.escape(name)}\b", spoken):
            when = date(today.year, month, day)
            if when < today:
                when = date(today.year + 1, month, day)
            return when, name.title().replace("'S", "'s")
    for index, name in enumerate(_WEEKDAYS):
        found = re.search(rf"\b(next |this |on |coming )?{name}\b", spoken)
        if found:
            offset = (index - today.weekday()) % 7
            if (found.group(1) or "").strip() == "next" and offset == 0:
                offset = 7
            return today + timedelta(days=offset), ("Next " if offset >= 7 else "") + name.title()
    return None


def _calendar_day(spoken: str, today: date) -> tuple[date, str] | None:
    """ "august 15th", "the 21st of march": that day this year, or next year once it has passed."""
    found = re.search(rf"\b({_MONTH})\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\b", spoken) or re.search(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b", spoken
    )
    if found is None:
        return None
    month_said, day_said = (
        (found.group(1), found.group(2)) if found.group(1).isalpha() else (found.group(2), found.group(1))
    )
    month = MONTHS.index(month_said) + 1
    try:
        when = date(today.year, month, int(day_said))
        if when < today:
            when = date(today.year + 1, month, int(day_said))
    except ValueError:
        return None
    return when, f"{month_said.title()} {int(day_said)}"
