"""Russian words every Russian skill shares: numbers said in words ("двадцать пять", "одну") as digits, plural
forms ("1 минуту", "2 минуты", "5 минут"), lengths of time, and dates said the Russian way."""

from __future__ import annotations

import re
from datetime import date, datetime

from app.skills.speech import say_number as say_number_en

WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
WEEKDAYS_ON = (
    "в понедельник",
    "во вторник",
    "в среду",
    "в четверг",
    "в пятницу",
    "в субботу",
    "в воскресенье",
)
"""The weekday after "в" (accusative): "в пятницу"."""
MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
"""Month names as a date says them (genitive): "30 ноября"."""

_UNITS = {
    "ноль": 0, "нуль": 0,
    "один": 1, "одна": 1, "одно": 1, "одну": 1, "одного": 1, "одной": 1, "одном": 1, "одним": 1,
    "два": 2, "две": 2, "двух": 2, "двум": 2, "двумя": 2,
    "три": 3, "трех": 3, "трем": 3, "тремя": 3,
    "четыре": 4, "четырех": 4, "четырем": 4, "четырьмя": 4,
    "пять": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10,
    "пяти": 5, "шести": 6, "семи": 7, "восьми": 8, "девяти": 9, "десяти": 10,
    "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15,
    "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19,
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60,
    "семьдесят": 70, "восемьдесят": 80, "девяносто": 90,
    "двадцати": 20, "тридцати": 30, "сорока": 40, "пятидесяти": 50, "шестидесяти": 60,
    "семидесяти": 70, "восьмидесяти": 80, "девяноста": 90,
    "сто": 100, "ста": 100, "двести": 200, "двухсот": 200, "триста": 300, "трехсот": 300,
    "четыреста": 400, "четырехсот": 400, "пятьсот": 500, "пятисот": 500, "шестьсот": 600,
    "шестисот": 600, "семьсот": 700, "семисот": 700, "восемьсот": 800, "восьмисот": 800,
    "девятьсот": 900, "девятисот": 900,
}  # fmt: skip
for _teen in list(_UNITS):
    if _teen.endswith("надцать"):
        _UNITS[_teen[:-1] + "и"] = _UNITS[_teen]  # "пятнадцати"
_NUMBER_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_RUN = re.compile(rf"\b(?:\d+ )?(?:(?:{_NUMBER_WORD}|тысяч[аиуе]?)\b ?)+")


def to_digits(text: str) -> str:
    """``text`` in lower case with every number said in words written in digits ("двадцать пять минут" →
    "25 минут", "пять тридцать" → "5 30", "два с половиной часа" → "2.5 часа"), decimal commas as points."""
    text = text.lower().replace("ё", "е")
    text = re.sub(r"(\d),(\d)", r"\1.\2", text)
    text = _RUN.sub(
        lambda found: _numbers(found.group(0)) + (" " if found.group(0).endswith(" ") else ""), text
    )
    text = re.sub(r"(\d+) с половиной", lambda m: f"{m.group(1)}.5", text)
    text = re.sub(r"\bполтор[аы]\b", "1.5", text)
    text = re.sub(r"\bполчаса\b", "30 минут", text)
    return re.sub(r"\bполминуты\b", "30 секунд", text)


def _numbers(run: str) -> str:
    """ "сто двадцать три" → "123"; "пять тридцать" → "5 30"; "2 тысячи" → "2000"."""
    out: list[int] = []
    value: int | None = None
    for token in run.split():
        if token.startswith("тысяч"):
            value = (value if value is not None else (out.pop() if out else 1)) * 1000
            continue
        number = int(token) if token.isdigit() else _UNITS[token]
        if value is not None and _continues(value, number):
            value += number
            continue
        if value is not None:
            out.append(value)
        value = number
    if value is not None:
        out.append(value)
    return " ".join(map(str, out))


def _continues(value: int, number: int) -> bool:
    """Whether ``number`` adds to the number being read ("сто" + "двадцать" + "три") rather than starting
    the next one ("пять" "тридцать" is a clock time, 5 30)."""
    if number >= 1000 or number == 0 or value == 0:
        return False
    low = value % 1000
    places = 10 ** len(str(number))
    if places == 10 and 10 <= low % 100 < 20:
        return False  # "десять пять" is two numbers
    return low % places == 0 and (low == 0 or low >= places)


def plural(count: float, forms: tuple[str, str, str]) -> str:
    """The form Russian uses after ``count``: 1 минуту, 2-4 минуты, 5-20 минут, 21 минуту, 22 минуты…; a
    fraction takes the second form ("2,5 фунта")."""
    if count != int(count):
        return forms[1]
    tens, units = int(abs(count)) % 100, int(abs(count)) % 10
    if 11 <= tens <= 14:
        return forms[2]
    if units == 1:
        return forms[0]
    if 2 <= units <= 4:
        return forms[1]
    return forms[2]


def say_number(value: float) -> str:
    """A result as Russians write it: decimal comma, spaced thousands, "примерно" when rounded."""
    said = say_number_en(value)
    about = said.startswith("about ")
    said = said.removeprefix("about ").replace(",", "\u00a0").replace(".", ",")
    return f"примерно {said}" if about else said


def counted(count: float, forms: tuple[str, str, str]) -> str:
    """A number with its noun in the right form: "3 дня", "2,5 фунта"."""
    return f"{say_number(count).removeprefix('примерно ')} {plural(count, forms)}"


DURATION_UNITS = (
    # accusative, as in "на 1 минуту / 2 минуты / 5 минут"
    (86400, ("день", "дня", "дней")),
    (3600, ("час", "часа", "часов")),
    (60, ("минуту", "минуты", "минут")),
    (1, ("секунду", "секунды", "секунд")),
)


def say_duration(seconds: float) -> str:
    """A length of time in its two largest units: "5 минут", "1 час 30 минут", "45 секунд"."""
    total = max(0, round(seconds))
    parts = []
    for size, forms in DURATION_UNITS:
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count} {plural(count, forms)}")
    return " ".join(parts[:2]) if parts else "0 секунд"


_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)?\s*(недел[юияь]\w*|сут\w*|д(?:ень|ня|ней|ням)|час\w*|мин\w*|сек\w*)(?=\s|$|[,.])"
)
_SECONDS = {"н": 604800, "с": 86400, "д": 86400, "ч": 3600, "м": 60}


def parse_duration(text: str) -> float | None:
    """Seconds a Russian phrase says ("10 минут", "час", "1 час 30 минут", "полчаса"), or None when it says
    something else too."""
    spoken = to_digits(text)
    total, found = 0.0, False
    for number, unit in _DURATION_PART.findall(spoken):
        size = 1 if unit.startswith("сек") else _SECONDS[unit[0]]
        total += float(number or 1) * size
        found = True
    rest = re.sub(r"\b(и|на|в течение)\b|[,]", "", _DURATION_PART.sub("", spoken)).strip()
    return total if found and not rest else None


def say_date(day: date | datetime, *, year: bool = False) -> str:
    """ "30 ноября", or "30 ноября 2026 года"."""
    said = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{said} {day.year} года" if year else said


def say_clock(moment: datetime) -> str:
    """A clock time on the 24-hour clock: "09:30"."""
    return f"{moment:%H:%M}"


def capital(text: str) -> str:
    """The first letter in upper case, the rest as it was ("нью-йорке" keeps its case for title())."""
    return text[:1].upper() + text[1:]


def shared_prefix(a: str, b: str) -> int:
    """How many letters two words share from the start (Russian case forms differ at the end)."""
    count = 0
    for left, right in zip(a, b, strict=False):
        if left != right:
            break
        count += 1
    return count
