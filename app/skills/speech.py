"""Results said the way a person says them: "51", "about 1.41", "4:05 PM", "1 hour and 5 minutes"."""

from __future__ import annotations

from datetime import datetime


def say_number(value: float) -> str:
    """A result rounded for speech: whole numbers plain, others to at most three significant decimals."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    rounded = float(f"{value:.3g}") if abs(value) < 1 else round(value, 2)
    text = f"{rounded}".rstrip("0").rstrip(".") if "e" not in f"{rounded}" else f"{value:.3g}"
    return text if rounded == value else f"about {text}"


def say_time(moment: datetime) -> str:
    """A clock time as spoken in English: "4:05 PM"."""
    return moment.strftime("%I:%M %p").lstrip("0")


def say_day(moment: datetime) -> str:
    """The weekday and date: "Tuesday, March 5"."""
    return f"{moment:%A}, {moment:%B} {moment.day}"


def say_duration(seconds: float) -> str:
    """A length of time in the largest units that matter: "1 hour and 5 minutes", "45 seconds"."""
    total = max(0, round(seconds))
    parts = []
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count} {name}{'s' if count != 1 else ''}")
    if not parts:
        return "0 seconds"
    if len(parts) > 2:
        parts = parts[:2]  # "2 hours and 5 minutes" is enough to act on; seconds would be noise
    return " and ".join(parts)


def join_items(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
