"""The reply checker's own reading of a request: spoken numbers, sums, unit conversions, clock times, dates
and places, written apart from the skills (nothing here imports app/skills), so a wrong extractor in a skill
cannot also make its expectation wrong. Each reader returns None for what it does not understand, and the
checker then leaves that request out rather than guess."""

from __future__ import annotations

import math
import re
import zoneinfo
from datetime import date, timedelta
from fractions import Fraction

SMALL = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def words_of(text: str) -> list[str]:
    """Lower-case words and numbers, keeping decimals and clock times ("7:30") whole."""
    return re.findall(r"\d+(?::\d\d|\.\d+)?|[a-z]+(?:'[a-z]+)?", text.lower().replace(",", ""))


def read_number(words: list[str], at: int) -> tuple[Fraction, int] | None:
    """The number spoken from ``words[at]`` on ("two hundred and twenty", "12", "3.5") and where it ends."""
    if at >= len(words):
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", words[at]):
        return Fraction(words[at]), at + 1
    total, current, i, seen = 0, 0, at, False
    last = ""
    while i < len(words):
        word = words[i]
        if word in SMALL and last in SMALL:
            break  # "two seven" is two numbers, not nine
        if word in SMALL:
            current += SMALL[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "hundred" and seen:
            current *= 100
        elif word in ("thousand", "million") and seen:
            total += current * (1000 if word == "thousand" else 1_000_000)
            current = 0
        elif (
            word == "and" and seen and i + 1 < len(words) and (words[i + 1] in SMALL or words[i + 1] in TENS)
        ):
            if current < 100 and total == 0:
                break  # "one plus one and two": "and" joins numbers, not parts of one
        else:
            break
        seen = True
        last = word
        i += 1
    if not seen:
        return None
    return Fraction(total + current), i


# ---- sums ---------------------------------------------------------------------------------------------

_OPS = {
    "plus": "+", "add": "+", "minus": "-", "less": "-", "times": "*", "x": "*", "multiplied": "*",
    "divided": "/", "over": "/", "by": "*",
}  # fmt: skip


def _tokens(text: str) -> list[Fraction | str]:
    """Numbers as Fractions, everything else as words."""
    words = words_of(text)
    out: list[Fraction | str] = []
    i = 0
    while i < len(words):
        found = read_number(words, i)
        if found is not None:
            out.append(found[0])
            i = found[1]
        else:
            out.append(words[i])
            i += 1
    return out


def _infix(tokens: list[Fraction | str]) -> Fraction | None:  # noqa: PLR0912 - a small operator-precedence parser
    """The value of "a op b op c…", multiplying and dividing before adding; None unless the span is a sum."""
    values: list[Fraction] = []
    ops: list[str] = []
    expect_number = True
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if expect_number:
            if not isinstance(token, Fraction):
                return None
            values.append(token)
        else:
            if not isinstance(token, str) or token not in _OPS:
                return None
            op = _OPS[token]
            if token in ("divided", "multiplied") and i + 1 < len(tokens) and tokens[i + 1] in ("by", "with"):
                i += 1
            ops.append(op)
        expect_number = not expect_number
        i += 1
    if expect_number or not ops:
        return None
    # multiplication and division bind first
    merged, pending = [values[0]], []
    for op, value in zip(ops, values[1:], strict=True):
        if op == "*":
            merged[-1] *= value
        elif op == "/":
            if value == 0:
                return None
            merged[-1] /= value
        else:
            pending.append(op)
            merged.append(value)
    total = merged[0]
    for op, value in zip(pending, merged[1:], strict=True):
        total = total + value if op == "+" else total - value
    return total


def _span(tokens: list[Fraction | str]) -> list[Fraction | str]:
    """From the first number to the last number (the sum inside "what is … for me")."""
    numbers = [i for i, t in enumerate(tokens) if isinstance(t, Fraction)]
    return tokens[numbers[0] : numbers[-1] + 1] if numbers else []


def expected_sum(text: str) -> tuple[float | None, bool | None] | None:  # noqa: PLR0911 - one per way to say a sum
    """(value, truth) of a spoken sum: the value it comes to, and for a yes/no question ("is 9 divisible by 3",
    "three times two equals six") whether the answer is yes; None when the words are no sum this reader knows."""
    tokens = _tokens(text)
    numbers = [t for t in tokens if isinstance(t, Fraction)]
    plain = " ".join(str(t) for t in tokens)
    if re.search(r"\bis \S+ divisible by \S+", plain) and len(numbers) == 2:
        return None, numbers[1] != 0 and numbers[0] % numbers[1] == 0
    if re.search(r"\bsquare root of\b", plain) and len(numbers) == 1:
        return math.sqrt(numbers[0]), None
    if re.search(r"\bpercent of\b", plain) and len(numbers) == 2:
        return float(numbers[0] * numbers[1] / 100), None
    if re.search(r"\bdivide \S+ by\b", plain) and len(numbers) == 2:
        return (float(numbers[0] / numbers[1]), None) if numbers[1] else None
    if re.search(r"\bsubtract \S+ from\b", plain) and len(numbers) == 2:
        return float(numbers[1] - numbers[0]), None
    if re.search(r"\b(sum|total) of\b|\badd up\b|\badd together\b", plain) and len(numbers) >= 2:
        return float(sum(numbers)), None
    if re.search(r"\b(average|mean) of\b", plain) and len(numbers) >= 2:
        return float(sum(numbers) / len(numbers)), None
    span = _span(tokens)
    check = None
    for word in ("equals", "equal", "is", "makes"):
        if word in span:
            at = span.index(word)
            tail = span[at + 1 :]
            if len(tail) == 1 and isinstance(tail[0], Fraction):
                check, span = tail[0], span[:at]
            break
    value = _infix(span)
    if value is None:
        return None
    return float(value), (value == check if check is not None else None)


# ---- units --------------------------------------------------------------------------------------------

_UNITS = {
    "inch": ("length", 0.0254), "inches": ("length", 0.0254), "foot": ("length", 0.3048),
    "feet": ("length", 0.3048), "yard": ("length", 0.9144), "yards": ("length", 0.9144),
    "mile": ("length", 1609.344), "miles": ("length", 1609.344), "meter": ("length", 1.0),
    "meters": ("length", 1.0), "metre": ("length", 1.0), "metres": ("length", 1.0),
    "centimeter": ("length", 0.01), "centimeters": ("length", 0.01), "centimetres": ("length", 0.01),
    "millimeter": ("length", 0.001), "millimeters": ("length", 0.001), "kilometer": ("length", 1000.0),
    "kilometers": ("length", 1000.0), "kilometres": ("length", 1000.0), "km": ("length", 1000.0),
    "cm": ("length", 0.01), "mm": ("length", 0.001),
    "gram": ("mass", 0.001), "grams": ("mass", 0.001), "kilogram": ("mass", 1.0), "kilograms": ("mass", 1.0),
    "kilo": ("mass", 1.0), "kilos": ("mass", 1.0), "kg": ("mass", 1.0), "pound": ("mass", 0.45359237),
    "pounds": ("mass", 0.45359237), "lbs": ("mass", 0.45359237), "ounce": ("mass", 0.028349523125),
    "ounces": ("mass", 0.028349523125), "stone": ("mass", 6.35029318),
    "liter": ("volume", 1.0), "liters": ("volume", 1.0), "litre": ("volume", 1.0), "litres": ("volume", 1.0),
    "milliliters": ("volume", 0.001), "ml": ("volume", 0.001), "gallon": ("volume", 3.785411784),
    "gallons": ("volume", 3.785411784), "quart": ("volume", 0.946352946), "quarts": ("volume", 0.946352946),
    "pint": ("volume", 0.473176473), "pints": ("volume", 0.473176473),
}  # fmt: skip
_TEMPERATURES = {"celsius": "C", "centigrade": "C", "fahrenheit": "F", "kelvin": "K"}


def _to_celsius(value: float, scale: str) -> float:
    return {"C": value, "F": (value - 32) * 5 / 9, "K": value - 273.15}[scale]


def _from_celsius(value: float, scale: str) -> float:
    return {"C": value, "F": value * 9 / 5 + 32, "K": value + 273.15}[scale]


def expected_conversion(text: str) -> float | None:
    """ "convert ten inches to centimeters", "how many inches make one foot": the converted amount."""
    words = [w for w in words_of(text) if w not in ("degrees", "degree", "a", "an")]
    tokens = _tokens(" ".join(words))
    numbers = [t for t in tokens if isinstance(t, Fraction)]
    units = [t for t in tokens if isinstance(t, str) and (t in _UNITS or t in _TEMPERATURES)]
    if len(units) != 2 or len(numbers) > 1:
        return None
    amount = float(numbers[0]) if numbers else 1.0
    plain = " ".join(str(t) for t in tokens)
    if re.match(r"^(?:how many|how much)\b", plain) or re.search(
        r"\bhow many \S+ (?:in|make|are in)\b", plain
    ):
        source, target = units[1], units[0]
    else:
        source, target = units[0], units[1]
    if source in _TEMPERATURES and target in _TEMPERATURES:
        return _from_celsius(_to_celsius(amount, _TEMPERATURES[source]), _TEMPERATURES[target])
    if source not in _UNITS or target not in _UNITS or _UNITS[source][0] != _UNITS[target][0]:
        return None
    return amount * _UNITS[source][1] / _UNITS[target][1]


def numbers_in(reply: str) -> list[float]:
    """The numbers a reply says in digits ("That's 1,250." → [1250.0])."""
    return [float(n.replace(",", "")) for n in re.findall(r"-?\d[\d,]*(?:\.\d+)?", reply)]


def says_number(reply: str, value: float) -> bool:
    """Whether the reply states ``value``, rounded as a person would (1 % or 0.01 of slack)."""
    return any(abs(n - value) <= max(0.01 * abs(value), 0.01) for n in numbers_in(reply))


def says_yes_no(reply: str, yes: bool) -> bool:
    """Whether the reply opens with the right yes or no."""
    return (
        re.match(r"^\W*(yes|yep|correct|right|true)\b" if yes else r"^\W*(no|nope|false)\b", reply.lower())
        is not None
    )


# ---- clock times and dates ----------------------------------------------------------------------------

PARTS_OF_DAY = {
    "morning": range(5, 12), "afternoon": range(12, 18), "evening": range(17, 22), "night": range(19, 24),
    "tonight": range(18, 24),
}  # fmt: skip


def clock_times(said: str, part_of_day: str = "") -> set[tuple[int, int]] | None:  # noqa: PLR0911, PLR0912 - one per way to say a time
    """The (hour, minute) a spoken clock time may mean: "nine am" → {(9, 0)}, "ten" → {(10, 0), (22, 0)},
    "eight forty five am", "six thirty", "eight hundred pm", "midnight", "7:30"; None for what is not a
    clock time ("three hours", "before five mins")."""
    words = [
        w
        for w in words_of(said.replace("a.m.", "am").replace("p.m.", "pm"))
        if w not in ("at", "the", "this")
    ]
    words = [w for w in words if w not in ("o'clock", "oclock", "clock", "sharp")]
    if words in (["midnight"],):
        return {(0, 0)}
    if words in (["noon"], ["midday"], ["twelve", "noon"]):
        return {(12, 0)}
    half = None
    if words and words[-1] in ("am", "pm"):
        half = words.pop()
    elif words[-2:] == ["in", "the"] or (len(words) >= 3 and words[-3:-1] == ["in", "the"]):
        return None
    if not words:
        return None
    hour: int | None
    minute = 0
    if re.fullmatch(r"\d{1,2}:\d\d", words[0]) and len(words) == 1:
        hour, minute = (int(p) for p in words[0].split(":"))
    elif words[:2] in (["half", "past"], ["quarter", "past"], ["quarter", "to"]):
        found = read_number(words, 2)
        if found is None or found[1] != len(words):
            return None
        hour = int(found[0])
        minute = {"half": 30, "quarter": 15}[words[0]]
        if words[1] == "to":
            hour, minute = hour - 1, 45
    else:
        hour = SMALL.get(words[0]) if not words[0].isdigit() else int(words[0])
        rest = words[1:]
        if hour is None:
            return None
        if rest in (["hundred"], ["hundred", "hours"]):
            minute = 0
        elif rest:
            if rest[0] == "oh" and len(rest) == 2 and rest[1] in SMALL:
                minute = SMALL[rest[1]]
            else:
                found = read_number(rest, 0)
                if found is None or found[1] != len(rest):
                    return None
                minute = int(found[0])
    if hour is None or not 0 <= hour <= 23 or not 0 <= minute <= 59:
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        return {((hour % 12) + (12 if half == "pm" else 0), minute)}
    if hour == 0 or hour > 12:
        return {(hour, minute)}
    both = {(hour % 12, minute), (hour % 12 + 12, minute)}
    hours = PARTS_OF_DAY.get(part_of_day)
    if hours is not None:
        fitting = {t for t in both if t[0] in hours}
        return fitting or both
    return both


def _ordinal_day(words: list[str]) -> int | None:
    """ "twenty first" → 21, "fifteenth" → 15, "21st" → 21, "nineteen" → 19."""
    if len(words) == 1 and re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", words[0]):
        return int(re.sub(r"\D", "", words[0]))
    if len(words) == 1:
        return ORDINALS.get(words[0], SMALL.get(words[0]))
    if len(words) == 2 and words[0] in TENS:
        last = ORDINALS.get(words[1], SMALL.get(words[1]))
        return TENS[words[0]] + last if last is not None and last < 10 else None
    return None


def dates_said(said: str, today: date) -> tuple[set[date], str | None] | None:  # noqa: PLR0911 - one per way to say a day
    """The dates a spoken day may mean and how it repeats: "tomorrow", "next friday", "march twenty first",
    "every sunday"; None for what this reader does not know ("next week", "the holidays")."""
    words = [w for w in words_of(said) if w not in ("on", "the", "of", "this", "coming")]
    if words in (["today"], ["tonight"]):
        return {today}, None
    if words == ["tomorrow"]:
        return {today + timedelta(days=1)}, None
    every = words[:1] == ["every"] or words[:1] == ["each"]
    if every:
        words = words[1:]
    nxt = words[:1] == ["next"]
    if nxt:
        words = words[1:]
    if len(words) == 1 and words[0].rstrip("s") in WEEKDAYS:
        index = WEEKDAYS.index(words[0].rstrip("s"))
        ahead = (index - today.weekday()) % 7
        first = today + timedelta(days=ahead or 7)
        if every:
            return ({first, today} if ahead == 0 else {first}), WEEKDAYS[index]
        if ahead == 0:  # "on wednesday", said on a Wednesday: today, or a week on
            return {today, first}, None
        return ({first, first + timedelta(days=7)} if nxt else {first}), None
    if every or nxt:
        return None
    months = [w for w in words if w in MONTHS]
    if len(months) != 1 or len(words) > 4:
        return None
    at = words.index(months[0])
    rest = words[:at] + words[at + 1 :]
    day = _ordinal_day(rest)
    if day is None:
        return None
    try:
        this_year = date(today.year, MONTHS.index(months[0]) + 1, day)
    except ValueError:
        return None
    following = this_year.replace(year=today.year + 1) if this_year < today else this_year
    return {this_year, following}, None


_REPEATS = re.compile(
    r"\b(?:every ?day|each day|daily|seven days a week|every (?:morning|evening|night)|"
    r"every (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?|weekdays|every weekday)\b"
)


def repeats(text: str) -> bool:
    """Whether the request asks for a repeating alarm ("each day", "seven days a week", "every sunday")."""
    return _REPEATS.search(text.lower()) is not None


# ---- places -------------------------------------------------------------------------------------------

_REGIONS = {
    "east coast": "America/New_York", "west coast": "America/Los_Angeles", "eastern": "America/New_York",
    "central": "America/Chicago", "mountain": "America/Denver", "pacific": "America/Los_Angeles",
    "india": "Asia/Kolkata", "china": "Asia/Shanghai", "japan": "Asia/Tokyo", "france": "Europe/Paris",
    "germany": "Europe/Berlin", "italy": "Europe/Rome", "spain": "Europe/Madrid", "uk": "Europe/London",
    "england": "Europe/London", "britain": "Europe/London", "ireland": "Europe/Dublin",
    "russia": "Europe/Moscow", "egypt": "Africa/Cairo", "nigeria": "Africa/Lagos", "kenya": "Africa/Nairobi",
    "pakistan": "Asia/Karachi", "bangladesh": "Asia/Dhaka", "thailand": "Asia/Bangkok",
    "vietnam": "Asia/Ho_Chi_Minh", "korea": "Asia/Seoul", "south korea": "Asia/Seoul",
    "philippines": "Asia/Manila", "singapore": "Asia/Singapore", "new zealand": "Pacific/Auckland",
    "netherlands": "Europe/Amsterdam", "greece": "Europe/Athens", "turkey": "Europe/Istanbul",
    "poland": "Europe/Warsaw", "sweden": "Europe/Stockholm", "norway": "Europe/Oslo",
    "switzerland": "Europe/Zurich", "geneva": "Europe/Zurich", "peru": "America/Lima",
    "colombia": "America/Bogota", "argentina": "America/Argentina/Buenos_Aires", "israel": "Asia/Jerusalem",
    "saudi arabia": "Asia/Riyadh", "dubai": "Asia/Dubai", "bangalore": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata", "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "beijing": "Asia/Shanghai",
    "washington": "America/New_York", "boston": "America/New_York", "miami": "America/New_York",
    "atlanta": "America/New_York", "philadelphia": "America/New_York", "dallas": "America/Chicago",
    "houston": "America/Chicago", "austin": "America/Chicago", "san antonio": "America/Chicago",
    "seattle": "America/Los_Angeles", "san francisco": "America/Los_Angeles", "sacramento": "America/Los_Angeles",
    "san diego": "America/Los_Angeles", "las vegas": "America/Los_Angeles", "portland": "America/Los_Angeles",
    "texas": "America/Chicago", "california": "America/Los_Angeles", "florida": "America/New_York",
    "missouri": "America/Chicago", "illinois": "America/Chicago", "colorado": "America/Denver",
    "arizona": "America/Phoenix", "utah": "America/Denver", "georgia": "America/New_York",
    "ohio": "America/New_York", "michigan": "America/Detroit", "oregon": "America/Los_Angeles",
    "nevada": "America/Los_Angeles", "massachusetts": "America/New_York", "minnesota": "America/Chicago",
    "hawaii": "Pacific/Honolulu", "alaska": "America/Anchorage", "virginia": "America/New_York",
    "new jersey": "America/New_York", "quebec": "America/Toronto", "ontario": "America/Toronto",
    "vancouver": "America/Vancouver", "montreal": "America/Toronto", "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne", "rio": "America/Sao_Paulo", "sao paulo": "America/Sao_Paulo",
    "hong kong": "Asia/Hong_Kong", "tel aviv": "Asia/Jerusalem", "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin", "barcelona": "Europe/Madrid", "milan": "Europe/Rome",
    "venice": "Europe/Rome", "florence": "Europe/Rome", "zurich": "Europe/Zurich",
}  # fmt: skip
"""Places IANA does not name by a city of their own (countries with one zone, US states, regions)."""


def zone_of(place: str) -> zoneinfo.ZoneInfo | None:
    """The time zone of a place said, from the table above or the city part of an IANA zone name
    ("dakar" → Africa/Dakar); for "dallas texas" the first known part wins; None when unknown."""
    said = re.sub(r"[^a-z ]", "", place.lower()).strip()
    said = re.sub(r"\s+(?:standard|daylight)?\s*time$", "", said).strip()
    said = re.sub(r"^the\s+", "", said)
    by_city = _zones_by_city()
    words = said.split()
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            part = " ".join(words[start : start + size])
            name = _REGIONS.get(part) or by_city.get(part)
            if name:
                return zoneinfo.ZoneInfo(name)
    return None


def _zones_by_city() -> dict[str, str]:
    if not _CITIES:
        for name in sorted(zoneinfo.available_timezones()):
            if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
                _CITIES.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return _CITIES


_CITIES: dict[str, str] = {}
