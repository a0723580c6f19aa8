"""When a reminder rings: "at 5 pm", "tomorrow morning", "in 20 minutes", "every weekday at 7", "on Friday".
Times of day and repeats are read here; calendar dates ("on March 5") by dateparser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.skills.durations import parse_duration
from app.skills.numbers import to_digits

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PARTS_OF_DAY = {
    "morning": 9,
    "afternoon": 15,
    "evening": 18,
    "night": 20,
    "tonight": 20,
    "noon": 12,
    "midday": 12,
    "lunchtime": 12,
    "midnight": 0,
}


class BadTimeError(ValueError):
    """A time that doesn't exist ("25 o'clock"); the message says so in a sentence."""


@dataclass(frozen=True)
class When:
    """The first ring and how it repeats."""

    at: datetime
    recurrence: str | None = None
    """"daily", "weekdays", "weekends" or a weekday name; None rings once."""


_CLOCK = re.compile(r"\b(?:at\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?|o'?clock)?(?=\s|$)")


def _spoken_clock(text: str) -> str:
    """Clock times and repeats as spoken, in the form the readers below take: "6 30 am" → "6:30 am",
    "800 pm" → "8:00 pm", "at 5 am every day" → "every day at 5 am"."""
    text = re.sub(r"\bhalf past (\d{1,2})\b", r"\1:30", text)
    text = re.sub(r"\bquarter past (\d{1,2})\b", r"\1:15", text)
    text = re.sub(r"\b(\d{1,2}) thirty\b", r"\1:30", text)
    # Spoken clock times reach us as separate numbers: "six thirty am" → "6 30 am", "eight hundred pm" → "800 pm".
    text = re.sub(r"\b(\d{1,2}) ([0-5]\d)\b(?=\s*(?:a\.?\s?m\b|p\.?\s?m\b|o'?\s?clock\b|$))", r"\1:\2", text)
    text = re.sub(r"(^|\bat )(\d{1,2}) ([0-5]\d)\b", r"\1\2:\3", text)
    text = re.sub(
        r"\b(\d{1,2}) ([0-5]\d)(?= (?:in the|this|tonight|tomorrow|today|on|every)\b)", r"\1:\2", text
    )
    text = re.sub(r"\b([1-9]|1[0-2])00(?=\s*(?:a\.?\s?m|p\.?\s?m)\b)", r"\1:00", text)
    text = re.sub(
        r"\b(?:(?:7|seven) days (?:a|1|per|every) week|each day|daily|every single day|everyday)\b",
        "every day",
        text,
    )
    # "at 5 am every day": the repeat may come last, as it is often said
    trailing = re.fullmatch(
        r"(.+?)\s+(every\s+(?:day|weekday|weekend|morning|evening|night|" + "|".join(WEEKDAYS) + r")s?)", text
    )
    if trailing:
        text = f"{trailing.group(2)} {trailing.group(1)}"
    return text


def parse_when(phrase: str, now: datetime) -> When | None:  # noqa: PLR0911, PLR0912 - one branch per way to say a time
    """The time a phrase names, or None when it names none.

    Raises:
        BadTimeError: the phrase names an impossible time.
    """
    text = _spoken_clock(re.sub(r"^(for|by)\s+", "", to_digits(phrase.lower()).strip(" .?!,")))
    if not text:
        return None
    relative = re.fullmatch(r"in (.+)", text)
    if relative:
        seconds = parse_duration(relative.group(1))
        if seconds is None:
            return None
        if seconds <= 0:
            raise BadTimeError("A reminder needs a time in the future.")
        return When(now + timedelta(seconds=seconds))
    recurrence = None
    every = re.match(
        r"every\s+(day|weekday|weekend|morning|evening|night|" + "|".join(WEEKDAYS) + r")s?\b", text
    )
    if every:
        word = every.group(1)
        recurrence = {"day": "daily", "weekday": "weekdays", "weekend": "weekends"}.get(word, word)
        if word in PARTS_OF_DAY:
            recurrence = "daily"
        text = (
            text[every.end() :].strip()
            if word not in PARTS_OF_DAY
            else text[every.end() :].strip() + f" {word}"
        )
    calendar_day, text = _calendar_day(text, now)
    day_offset, weekday, text = _day(text)
    if calendar_day is not None:
        day_offset = (calendar_day - now.date()).days
    hour, minute, text = _clock(text, prefer_morning=recurrence is not None)
    if hour is None and day_offset is None and weekday is None and recurrence is None:
        import dateparser  # type: ignore[import-untyped]  # slow to import; only calendar dates need it

        parsed = dateparser.parse(
            re.sub(r"^(on|at|by) ", "", phrase.strip()),
            settings={"PREFER_DATES_FROM": "future", "RELATIVE_BASE": now.replace(tzinfo=None)},
        )
        if parsed is None or text.strip():
            return None
        return When(parsed.replace(tzinfo=now.tzinfo) if parsed.tzinfo is None else parsed)
    if text.strip():
        return None
    at = now.replace(second=0, microsecond=0)
    said_hour = hour is not None
    if hour is None:
        hour, minute = 9, 0
    at = at.replace(hour=hour, minute=minute)
    if day_offset is not None:
        at += timedelta(days=day_offset)
    elif weekday is not None:
        at += timedelta(days=(weekday - now.weekday()) % 7)
    if at <= now and not said_hour and day_offset == 0:
        return None  # "today", with the morning gone: when today is a question, not 9 AM
    if at <= now and said_hour and day_offset == 0 and hour < 12 and not _HALF_OF_DAY.search(phrase.lower()):
        at += timedelta(hours=12)  # "at seven today", said in the afternoon: the evening
    if at <= now and day_offset is None:
        at += timedelta(days=7 if weekday is not None else 1)
    if recurrence is not None:
        at = (
            next_occurrence(at - timedelta(minutes=1), recurrence, hour, minute)
            if not _fits(at, recurrence)
            else at
        )
    return When(at, recurrence)


def next_occurrence(after: datetime, recurrence: str, hour: int, minute: int) -> datetime:
    """The next ring of a repeating reminder strictly after ``after``."""
    candidate = after.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= after:
        candidate += timedelta(days=1)
    while not _fits(candidate, recurrence):
        candidate += timedelta(days=1)
    return candidate


def _fits(moment: datetime, recurrence: str) -> bool:
    if recurrence == "daily":
        return True
    if recurrence == "weekdays":
        return moment.weekday() < 5
    if recurrence == "weekends":
        return moment.weekday() >= 5
    return WEEKDAYS[moment.weekday()] == recurrence


_HALF_OF_DAY = re.compile(r"\b(?:am|a\.m|pm|p\.m|morning|afternoon|evening|night|tonight|noon|midnight)\b")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_ON_DATE = re.compile(
    r"(?:\bon\s+)?(?:the\s+)?(?:\b(?P<month>"
    + "|".join(MONTHS)
    + r")\s+(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(?P<day2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month2>" + "|".join(MONTHS) + r")\b)"
)


def _calendar_day(text: str, now: datetime) -> tuple[date | None, str]:
    """ "on march 26", "the 4th of april": that day (next year once this year's is past), and the rest."""
    found = _ON_DATE.search(text)
    if found is None:
        return None, text
    month = MONTHS.index(found.group("month") or found.group("month2")) + 1
    day = int(found.group("day") or found.group("day2"))
    try:
        when = date(now.year, month, day)
    except ValueError:
        return None, text
    if when < now.date():
        when = date(now.year + 1, month, day)
    return when, (text[: found.start()] + " " + text[found.end() :]).strip()


def _day(text: str) -> tuple[int | None, int | None, str]:
    for word, offset in (("day after tomorrow", 2), ("tomorrow", 1), ("today", 0), ("tonight", 0)):
        if re.search(rf"\b{word}\b", text):
            rest = re.sub(rf"\b(the )?{word}\b", " ", text)
            if word == "tonight":
                rest += " night"
            return offset, None, rest.strip()
    for index, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}\b", text):
            return None, index, re.sub(rf"\b(on |next |this )?{name}\b", " ", text).strip()
    return None, None, text


def _clock(text: str, *, prefer_morning: bool) -> tuple[int | None, int, str]:
    text = re.sub(r"^(at|in the|this|by)\s+|\s+(at|in the|this|by)$", " ", text.strip()).strip()
    text = re.sub(r"\b(in the|this|at)\s+(morning|afternoon|evening|night)\b", r"\2", text)
    hour: int | None = None
    minute = 0
    match = _CLOCK.search(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = (match.group(3) or "").replace(".", "").replace(" ", "")
        if hour > 24 or minute > 59 or (suffix in ("am", "pm") and hour > 12):
            raise BadTimeError(
                f"There's no {match.group(0).strip().removeprefix('at ')}: a clock time runs "
                "from 0:00 to 23:59."
            )
        text = (text[: match.start()] + " " + text[match.end() :]).strip()
        part = next((p for p in PARTS_OF_DAY if re.search(rf"\b{p}\b", text)), None)
        if (suffix == "pm" and hour < 12) or (part in ("afternoon", "evening", "night") and hour < 12):
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        if part:
            text = re.sub(rf"\b{part}\b", " ", text).strip()
        hour %= 24
        if not suffix and not part and not prefer_morning and 1 <= hour <= 6:
            hour += 12  # "at 5" means 5 pm far more often than 5 am
        return hour, minute, text
    for part, part_hour in PARTS_OF_DAY.items():
        if re.search(rf"\b{part}\b", text):
            return part_hour, 0, re.sub(rf"\b{part}\b", " ", text).strip()
    return None, 0, text
