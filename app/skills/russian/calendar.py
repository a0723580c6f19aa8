"""Time in other places and days in Russian: "который час в Токио", "сколько дней до Нового года", "какой день
недели будет в Рождество", "какое число будет через 5 дней". The zone table and the calendar are the English
skills'; only the words are Russian."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch
from app.skills.places import find_zone
from app.skills.russian.words import (
    MONTHS,
    WEEKDAYS,
    WEEKDAYS_ON,
    capital,
    plural,
    say_clock,
    say_date,
    to_digits,
)

PLACES = (
    ("москв", "moscow"), ("(?:санкт-)?петербург|питер", "st petersburg"), ("лондон", "london"),
    ("париж", "paris"), ("берлин", "berlin"), ("рим", "rome"), ("мадрид", "madrid"), ("токио", "tokyo"),
    ("пекин", "beijing"), ("шанха", "shanghai"), ("нью-йорк", "new york"), ("лос-анджелес", "los angeles"),
    ("чикаго", "chicago"), ("сан-франциско", "san francisco"), ("вашингтон", "washington"),
    ("торонто", "toronto"), ("ванкувер", "vancouver"), ("сидне", "sydney"), ("мельбурн", "melbourne"),
    ("дуба", "dubai"), ("стамбул", "istanbul"), ("(?:нью-)?дели", "new delhi"), ("мумба", "mumbai"),
    ("сеул", "seoul"), ("бангкок", "bangkok"), ("сингапур", "singapore"), ("гонконг", "hong kong"),
    ("каир", "cairo"), ("киев", "kyiv"), ("минск", "minsk"), ("алмат", "almaty"), ("ташкент", "tashkent"),
    ("тбилиси", "tbilisi"), ("ереван", "yerevan"), ("баку", "baku"), ("владивосток", "vladivostok"),
    ("новосибирск", "novosibirsk"), ("екатеринбург", "yekaterinburg"), ("калининград", "kaliningrad"),
    ("самар", "samara"), ("омск", "omsk"), ("иркутск", "irkutsk"), ("хабаровск", "khabarovsk"),
    ("красноярск", "krasnoyarsk"), ("магадан", "magadan"), ("якутск", "yakutsk"), ("варшав", "warsaw"),
    ("праг", "prague"), ("вен", "vienna"), ("амстердам", "amsterdam"), ("хельсинки", "helsinki"),
    ("стокгольм", "stockholm"), ("осло", "oslo"), ("афин", "athens"), ("лиссабон", "lisbon"),
    ("мехико", "mexico city"), ("буэнос-айрес", "buenos aires"), ("сан-паулу", "sao paulo"),
    ("гонолулу", "honolulu"), ("рио-де-жанейро", "rio de janeiro"), ("япони", "japan"), ("кита", "china"),
    ("франци", "france"), ("германи", "germany"), ("итали", "italy"), ("испани", "spain"),
    ("англи|великобритани", "united kingdom"), ("инди", "india"), ("египт", "egypt"), ("турци", "turkey"),
    ("таиланд", "thailand"), ("израил", "israel"), ("армени", "armenia"), ("казахстан", "almaty"),
    ("сочи", "sochi"), ("казан", "kazan"), ("нижн\\w* новгород", "nizhny novgorod"),
)  # fmt: skip
"""Places Russians ask the time of, by the stem their case forms share ("в Лондоне", "в Москве"), with the
name the zone table knows them by."""

HOLIDAYS = (
    (r"католическ\w+ рождеств|рождеств\w* на западе", "католическое Рождество", "католического Рождества", 12, 25),
    (r"рождеств", "Рождество", "Рождества", 1, 7),
    (r"нов\w+ год|новогод", "Новый год", "Нового года", 1, 1),
    (r"8 марта|женск\w+ д", "8 Марта", "8 Марта", 3, 8),
    (r"23 февраля|защитник", "23 Февраля", "23 Февраля", 2, 23),
    (r"д(?:ень|ня|ню) победы|9 мая", "День Победы", "Дня Победы", 5, 9),
    (r"1 мая|первомай", "1 Мая", "1 Мая", 5, 1),
    (r"д(?:ень|ня) знаний|1 сентября", "1 Сентября", "1 Сентября", 9, 1),
    (r"д(?:ень|ня) росси|12 июня", "День России", "Дня России", 6, 12),
    (r"валентин", "День святого Валентина", "Дня святого Валентина", 2, 14),
    (r"хэллоуин|хеллоуин", "Хэллоуин", "Хэллоуина", 10, 31),
)  # fmt: skip
"""Fixed-date holidays (Рождество is the Orthodox one, 7 January): pattern, name, name after "до", date."""

MONTH_STEMS = ("январ", "феврал", "март", "апрел", "ма[йяюе]", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр")  # fmt: skip
WEEKDAYS_UNTIL = ("понедельника", "вторника", "среды", "четверга", "пятницы", "субботы", "воскресенья")
"""The weekday after "до" (genitive): "до субботы"."""
_WEEKDAY_STEMS = ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень")


def find_place(said: str) -> str | None:
    """The zone table's name for a place said in any case ("лондоне" → "london"), or None."""
    place = said.lower().replace("ё", "е").strip(" ?.!,")
    for stem, name in PLACES:
        if re.fullmatch(rf"(?:{stem})[а-я]{{0,3}}", place):
            return name
    return place if find_zone(place) else None  # written in Latin letters, or already the table's name


def _in(place: str) -> str:
    """ "в Лондоне", "во Владивостоке" (the preposition Russian puts before в/ф and a consonant)."""
    said = place.title()
    return f"во {said}" if re.match(r"[вф][^аеёиоуыэюя]", place.lower()) else f"в {said}"


def time_in_known(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "время в Токио", but not "время в пути": only a place Aris knows."""
    return time_in(match, ctx) if find_place(str(match.slots.get("place", ""))) else None


def time_in(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "В Токио сейчас 19:00, понедельник."; an unknown place gets a clear answer rather than a guess."""
    place = str(match.slots.get("place", "")).strip(" ?.!,")
    if not place or len(place.split()) > 3:
        return None
    name = find_place(place)
    found = find_zone(name) if name else None
    if found is None:
        return f"Я не знаю часового пояса места «{place.title()}». Назовите ближайший крупный город."
    there = datetime.fromtimestamp(ctx.now(), found[1])
    return f"{capital(_in(place))} сейчас {say_clock(there)}, {WEEKDAYS[there.weekday()]}."


def find_day(text: str, today: date) -> tuple[date, str, str] | None:  # noqa: PLR0911 - one branch per way to say a day
    """The day a question names, how to say it, and how to say it after "до": ("завтра" → tomorrow, "через 5
    дней", "Рождество", "15 марта", "в пятницу"), or None."""
    spoken = to_digits(text)
    for word, days in (("послезавтра", 2), ("позавчера", -2), ("завтра", 1), ("вчера", -1), ("сегодня", 0)):
        if re.search(rf"\b{word}\b", spoken):
            return today + timedelta(days=days), word, word
    ahead = re.search(r"\bчерез (\d+ )?(д(?:ень|ня|ней)|недел\w*|месяц\w*|год\w*|лет)\b", spoken)
    if ahead:
        count = int(ahead.group(1) or 1)
        unit = ahead.group(2)
        if unit.startswith("месяц") or unit.startswith(("год", "лет")):
            months = count * (12 if not unit.startswith("месяц") else 1)
            month = today.month - 1 + months
            day = _clamped(today.year + month // 12, month % 12 + 1, today.day)
        else:
            day = today + timedelta(days=count * (7 if unit.startswith("недел") else 1))
        said = f"через {ahead.group(1) or ''}{unit}".replace("  ", " ")
        return day, said, said
    for pattern, name, after_until, month, day_of in HOLIDAYS:
        if re.search(pattern, spoken):
            when = date(today.year, month, day_of)
            when = when if when >= today else date(today.year + 1, month, day_of)
            return when, name, after_until
    dated = re.search(rf"\b(\d{{1,2}})(?:-?(?:го|е|ое))? ({'|'.join(MONTH_STEMS)})\w*", _ordinals(spoken))
    if dated:
        month = next(i for i, stem in enumerate(MONTH_STEMS) if re.match(stem, dated.group(2))) + 1
        number = int(dated.group(1))
        if not 1 <= number <= 31:
            return None
        when = _clamped(today.year, month, number)
        when = when if when >= today else _clamped(today.year + 1, month, number)
        said = f"{number} {MONTHS[month - 1]}"
        return when, said, said
    for index, stem in enumerate(_WEEKDAY_STEMS):
        found = re.search(rf"\b(следующ\w+ |эт\w+ )?{stem}\w*", spoken)
        if found:
            offset = (index - today.weekday()) % 7
            if offset == 0 and not (found.group(1) or "").startswith(
                "эт"
            ):  # "в понедельник" said on a Monday: the next one
                offset = 7
            return today + timedelta(days=offset), WEEKDAYS_ON[index], WEEKDAYS_UNTIL[index]
    return None


_ORDINALS = (
    ("перв", 1), ("втор", 2), ("трет", 3), ("четверт", 4), ("пят", 5), ("шест", 6), ("седьм", 7),
    ("восьм", 8), ("девят", 9), ("десят", 10), ("одиннадцат", 11), ("двенадцат", 12), ("тринадцат", 13),
    ("четырнадцат", 14), ("пятнадцат", 15), ("шестнадцат", 16), ("семнадцат", 17), ("восемнадцат", 18),
    ("девятнадцат", 19), ("двадцат", 20), ("тридцат", 30),
)  # fmt: skip


def _ordinals(text: str) -> str:
    """Days said as ordinals in digits: "первого сентября" → "1 сентября", "20 пятое" → "25"."""
    for stem, value in _ORDINALS:

        def number(found: re.Match[str], value: int = value) -> str:
            return str(int(found.group(1) or 0) + value)

        text = re.sub(rf"\b(?:(\d0) )?{stem}(?:ое|ого|ье|ьего|ому|ьему|ий|ый|ой)\b", number, text)
    return text


def _clamped(year: int, month: int, day: int) -> date:
    """The date, or the month's last day when it has fewer ("31 февраля" is the 28th)."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def day_of(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "Рождество, 7 января 2027 года, — четверг."; "Через 5 дней будет суббота, 5 декабря."."""
    today = ctx.local_now().date()
    found = find_day(str(match.slots.get("day", "")), today)
    if found is None:
        return None
    day, said, _until = found
    weekday = WEEKDAYS[day.weekday()]
    if said[:1].isdigit():
        return f"{say_date(day, year=True)} — {weekday}."
    if said.startswith(("в ", "во ")):  # a weekday: "В пятницу будет 4 декабря."
        return f"{capital(said)} будет {say_date(day, year=day.year != today.year)}."
    if not re.match(r"(?:после|поза)?завтра$|(?:поза)?вчера$|сегодня$|через ", said):
        return f"{capital(said)}, {say_date(day, year=True)} — {weekday}."
    verb = "было " if day < today else "будет " if day > today else ""
    return f"{capital(said)} {verb}{weekday}, {say_date(day, year=day.year != today.year)}."


def when_is(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "когда Новый год": a holiday or a date; "когда завтра матч" asks about something else."""
    found = find_day(str(match.slots.get("day", "")), ctx.local_now().date())
    if found is None or not (found[1][:1].isupper() or found[1][:1].isdigit() or "Рождество" in found[1]):
        return None
    return day_of(match, ctx)


def days_until(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "До Нового года 32 дня: это пятница, 1 января 2027 года."."""
    today = ctx.local_now().date()
    found = find_day(str(match.slots.get("day", "")), today)
    if found is None:
        return None
    day, said, until = found
    days = (day - today).days
    if days <= 0:
        return f"{capital(said)} — сегодня." if days == 0 else None
    forms = ("день", "дня", "дней")
    return (
        f"До {until} {days} {plural(days, forms)}: это {WEEKDAYS[day.weekday()]}, {say_date(day, year=True)}."
    )
