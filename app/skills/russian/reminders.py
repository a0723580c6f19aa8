"""Reminders and alarms in Russian: "напомни мне купить хлеб завтра в 9", "разбуди меня в 5:30", "поставь
будильник на 6 утра", "какие у меня напоминания". Stored as the English skill stores them (an alarm is a
reminder with no task), so they ring, list and cancel the same in either language."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch
from app.skills.reminders import _overlaps
from app.skills.russian.calendar import MONTH_STEMS
from app.skills.russian.words import (
    WEEKDAYS_ON,
    parse_duration,
    plural,
    say_clock,
    say_date,
    to_digits,
)
from app.skills.store import Timer, TimerKind, TimerState
from app.skills.when import When, next_occurrence

RINGS_NOTE = " Сигнал прозвучит, пока Aris запущен."
_WEEKDAY_STEMS = ("понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень")
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PARTS = {"утром": 8, "утра": 8, "днем": 14, "дня": 14, "вечером": 19, "вечера": 19, "ночью": 23, "ночи": 23}
_CLOCK = re.compile(
    r"\b(?:в|на|к)\s+(\d{1,2})(?:[:.\s](\d{2}))?(?:\s*час\w*)?(?:\s*(\d{1,2})\s*мин\w*)?"
    r"(?:\s+(утра|дня|вечера|ночи))?(?=\s|$)"
)


class BadTimeError(ValueError):
    """A time that doesn't exist ("в 25:00"); the message says so in Russian."""


def parse_when(phrase: str, now: datetime, *, alarm: bool = False) -> When | None:  # noqa: PLR0912, PLR0915 - one branch per way to say a time
    """The time a Russian phrase names ("завтра в 9", "через 20 минут", "в пятницу в 6 вечера", "каждый день в
    7"), or None when it names none or says more than a time.

    Raises:
        BadTimeError: the phrase names an impossible time.
    """
    text = " " + to_digits(phrase).strip(" ?.!,") + " "
    relative = re.fullmatch(r"\s*через (.+?)\s*", text)
    if relative:
        seconds = parse_duration(relative.group(1))
        return When(now + timedelta(seconds=seconds)) if seconds else None
    recurrence = None
    every = re.search(
        r"\b(?:каждый день|ежедневно|каждое утро|каждый вечер|по будням|по выходным|кажд\w+ (\w+)|по (\w+)ам)\b",
        text,
    )
    if every:
        said = every.group(0)
        weekday = next(
            (i for i, s in enumerate(_WEEKDAY_STEMS) if re.search(rf"\b(?:кажд\w+ |по ){s}", said)), None
        )
        recurrence = (
            _WEEKDAYS_EN[weekday]
            if weekday is not None
            else "weekdays"
            if "будн" in said
            else "weekends"
            if "выходн" in said
            else "daily"
        )
        text = text.replace(said, " утром" if "утро" in said else " вечером" if "вечер" in said else " ")
    day_offset = weekday_index = None
    for word, days in (("послезавтра", 2), ("завтра", 1), ("сегодня", 0)):
        if re.search(rf"\b{word}\b", text):
            day_offset, text = days, re.sub(rf"\b{word}\b", " ", text)
            break
    for index, stem in enumerate(_WEEKDAY_STEMS):
        found = re.search(rf"\bв?о? ?{stem}\w*", text)
        if found and recurrence is None:
            weekday_index, text = index, text.replace(found.group(0), " ")
            break
    dated = re.search(rf"\b(\d{{1,2}}) ({'|'.join(MONTH_STEMS)})\w*", text)
    if dated and day_offset is None and weekday_index is None:
        month = next(i for i, stem in enumerate(MONTH_STEMS) if re.match(stem, dated.group(2))) + 1
        try:
            on = now.date().replace(month=month, day=int(dated.group(1)))
        except ValueError as error:
            raise BadTimeError(f"Такой даты нет: {dated.group(0)}.") from error
        on = on if on >= now.date() else on.replace(year=on.year + 1)
        day_offset, text = (on - now.date()).days, text.replace(dated.group(0), " ")
    hour: int | None = None
    minute = 0
    part = None
    clock = _CLOCK.search(text)
    if clock:
        hour, minute = int(clock.group(1)), int(clock.group(2) or clock.group(3) or 0)
        part = clock.group(4)
        if hour > 24 or minute > 59:
            raise BadTimeError(f"Такого времени нет: {hour}:{minute:02d}. Часы идут от 0:00 до 23:59.")
        text = text.replace(clock.group(0), " ")
    for word in ("полдень", "полночь"):
        if re.search(rf"\bв {word}\b", text):
            hour, text = (12 if word == "полдень" else 0), re.sub(rf"\bв {word}\b", " ", text)
    said_part = re.search(r"\b(утром|днем|вечером|ночью)\b", text)
    if said_part:
        part, text = said_part.group(1), text.replace(said_part.group(0), " ")
    text = re.sub(r"(?<!\S)(?:на|в|во|к)(?!\S)", " ", text)  # "на завтра на 7": what is left of the time
    if text.strip() or (hour is None and part is None and day_offset is None and weekday_index is None):
        return None
    if hour is None:
        hour = _PARTS[part] if part else 9
    elif (part in ("дня", "днем", "вечера", "вечером") and hour < 12) or (
        part in ("ночи", "ночью") and 6 < hour < 12
    ):
        hour += 12
    elif part is None and not alarm and recurrence is None and 1 <= hour <= 6 and day_offset != 0:
        hour += 12  # "в 5" for a reminder means 17:00 far more often than 5:00
    at = now.replace(hour=hour % 24, minute=minute, second=0, microsecond=0)
    if day_offset is not None:
        at += timedelta(days=day_offset)
    elif weekday_index is not None:
        at += timedelta(days=(weekday_index - now.weekday()) % 7)
    if at <= now and day_offset is None:
        at += timedelta(days=7 if weekday_index is not None else 1)
    if recurrence is not None:
        at = next_occurrence(at - timedelta(minutes=1), recurrence, at.hour, at.minute)
    return When(at, recurrence)


def _split(text: str, now: datetime) -> tuple[str, When] | None:
    """The task and the time in "купить хлеб завтра в 9", "завтра в 9 купить хлеб" or "что в 3 часа
    встреча": the longest run of words that names a time, the rest is the task."""
    words = text.split()
    for length in range(len(words) - 1, 0, -1):
        for start in range(len(words) - length + 1):
            when = parse_when(" ".join(words[start : start + length]), now)
            if when is not None:
                return _task(" ".join(words[:start] + words[start + length :])), when
    return None


def _task(text: str) -> str:
    return re.sub(r"^(?:мне|нам|о том,? что|о том,? чтобы|что|чтобы)\s+", "", text.strip(" ,.")).strip()


def when_said(when: When, now: datetime) -> str:
    """ "сегодня в 17:00", "завтра в 09:00", "в пятницу, 4 декабря, в 06:00", "каждый день в 07:00"."""
    at = when.at
    if when.recurrence:
        every = {"daily": "каждый день", "weekdays": "по будням", "weekends": "по выходным"}
        if when.recurrence in _WEEKDAYS_EN:
            said = "каждый " + WEEKDAYS_ON[_WEEKDAYS_EN.index(when.recurrence)].split()[-1]
            said = said.replace("каждый среду", "каждую среду").replace("каждый пятницу", "каждую пятницу")
            said = said.replace("каждый субботу", "каждую субботу").replace(
                "каждый воскресенье", "каждое воскресенье"
            )
        else:
            said = every.get(when.recurrence, "каждый день")
        return f"{said} в {say_clock(at)}"
    days = (at.date() - now.date()).days
    if days == 0:
        return f"сегодня в {say_clock(at)}"
    if days == 1:
        return f"завтра в {say_clock(at)}"
    return f"{WEEKDAYS_ON[at.weekday()]}, {say_date(at)}, в {say_clock(at)}"


def remind(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Store a reminder; a missing or impossible time gets a question back, never a guess."""
    text = re.sub(r"^(?:мне|нам)\b[,\s]*", "", to_digits(str(match.slots.get("reminder", ""))).strip(" ?.!,"))
    now = ctx.local_now()
    try:
        when_only = parse_when(text, now)
        found = (_task(""), when_only) if when_only is not None else _split(text, now)
    except BadTimeError as error:
        return str(error)
    if found is None:
        if re.match(
            r"^(?:о ч[её]м|что|как|кто|где|когда|какой|какая|какое|какие|сколько|зачем|почему)\b",
            text,
        ):
            return None  # "напомни, как зовут соседа": a question for the model, not a reminder
        return "Когда напомнить? Скажите, например: напомни мне позвонить маме завтра в 10."
    task, when = found
    if when.at.timestamp() <= ctx.now():
        return "Это время уже прошло. Когда напомнить?"
    ctx.store.add_timer(TimerKind.REMINDER, task, when.at.timestamp(), recurrence=when.recurrence)
    return f"Хорошо, напомню{_what(task)} {when_said(when, now)}.{RINGS_NOTE}"


def _what(task: str) -> str:
    """The task after "напомню": as said when it reads on ("купить хлеб", "о встрече"), quoted otherwise
    ("напомни, что в 3 часа встреча" → "напомню: «встреча» —")."""
    if not task:
        return ""
    if re.match(r"^(?:\w+(?:ть|ти|чь|ться|тись)|о|об|обо|про)\b", task):
        return f" {task}"
    return f": «{task}» —"


def alarm(match: IntentMatch, ctx: SkillContext) -> str | None:
    """An alarm: a reminder with no task, at a time that means the morning unless said otherwise."""
    said = to_digits(str(match.slots.get("when", ""))).strip(" ?.!,")
    said = re.sub(r"^(?:на|в|к)?\s*(\d)", r"в \1", said)
    now = ctx.local_now()
    try:
        when = parse_when(said, now, alarm=True)
    except BadTimeError as error:
        return str(error)
    if when is None:
        return "На какое время поставить будильник? Скажите, например: разбуди меня в 7 утра."
    ctx.store.add_timer(TimerKind.REMINDER, "", when.at.timestamp(), recurrence=when.recurrence)
    return f"Будильник поставлен: {when_said(when, now)}.{RINGS_NOTE}"


def _described(reminder: Timer, now: datetime) -> str:
    at = datetime.fromtimestamp(reminder.fires_at).astimezone()
    what = f"«{reminder.name}»" if reminder.name else "будильник"
    return f"{what} {when_said(When(at, reminder.recurrence), now)}"


def list_reminders(match: IntentMatch, ctx: SkillContext) -> str | None:
    """The reminders and alarms still to ring."""
    reminders = ctx.store.active(TimerKind.REMINDER)
    if not reminders:
        return "У вас нет напоминаний."
    now = ctx.local_now()
    parts = [_described(r, now) for r in reminders[:5]]
    more = f" и ещё {len(reminders) - 5}" if len(reminders) > 5 else ""
    count = len(reminders)
    forms = ("напоминание", "напоминания", "напоминаний")
    return f"У вас {count} {plural(count, forms)}: {'; '.join(parts)}{more}."


def cancel_reminder(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Cancel the reminder about what was said, or the alarms, or all of them."""
    reminders = ctx.store.active(TimerKind.REMINDER)
    if not reminders:
        return "У вас нет напоминаний."
    about = re.sub(r"^(?:о|об|про|насчет|чтобы)\s+", "", str(match.slots.get("reminder", "")).strip(" ?.!,"))
    if about:
        reminders = [r for r in reminders if _overlaps(_stems(about), _stems(r.name))]
        if not reminders:
            return f"У меня нет напоминания «{about}»."
    for reminder in reminders:
        ctx.store.set_state(reminder, TimerState.CANCELLED)
    if len(reminders) == 1:
        return f"Отменено: {_described(reminders[0], ctx.local_now())}."
    return f"Отменено напоминаний: {len(reminders)}."


def cancel_alarm(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Cancel the alarms (reminders with no task), leaving the other reminders alone."""
    alarms = [r for r in ctx.store.active(TimerKind.REMINDER) if not r.name]
    if not alarms:
        return "У вас нет будильников."
    for alarm_set in alarms:
        ctx.store.set_state(alarm_set, TimerState.CANCELLED)
    if len(alarms) == 1:
        return f"Отменено: {_described(alarms[0], ctx.local_now())}."
    return f"Отменено будильников: {len(alarms)}."


def _stems(text: str) -> str:
    """Words cut to their first five letters, so case forms meet ("хлеба" and "хлеб", "маме" and "маму")."""
    return " ".join(
        word[:5] if len(word) > 5 else word.rstrip("аяуюеиыо") or word for word in text.lower().split()
    )
