"""The time, the date and timers in Russian: the same store and rules as the English skills, said with the
right plural forms ("1 минуту", "2 минуты", "5 минут")."""

from __future__ import annotations

from datetime import datetime

from app.skills.base import SkillContext
from app.skills.matcher import IntentMatch
from app.skills.russian.words import MONTHS, WEEKDAYS, parse_duration, say_duration
from app.skills.store import Timer, TimerKind, TimerState
from app.skills.timers import MAX_TIMER_S, _name, _seconds_from_slots


def time_here(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Local time, on the 24-hour clock as Russians say it: "Сейчас 14:05."."""
    return f"Сейчас {ctx.local_now():%H:%M}."


def date_today(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Today's date: "Сегодня понедельник, 30 ноября 2026 года."."""
    now = ctx.local_now()
    return f"Сегодня {WEEKDAYS[now.weekday()]}, {now.day} {MONTHS[now.month - 1]} {now.year} года."


def start_timer(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Start a timer; a missing, zero or absurd length gets a clear answer instead."""
    if "conversation_command" in match.slots:
        return None
    if "duration" in match.slots:  # said freely ("на полчаса", "на полтора часа"): read in Russian
        seconds = parse_duration(str(match.slots["duration"]))
        if seconds is None:
            return None
    else:
        seconds = _seconds_from_slots(match.slots)
    if seconds is None:
        return "На сколько поставить таймер? Например: поставь таймер на десять минут."
    if seconds <= 0:
        return "Таймеру нужна длительность больше нуля. На сколько его поставить?"
    if seconds > MAX_TIMER_S:
        return "Это дольше недели: для такого лучше напоминание."
    ctx.store.add_timer(TimerKind.TIMER, _name(match.slots), ctx.now() + seconds, seconds)
    return f"Таймер поставлен на {say_duration(seconds)}."


def cancel_timer(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Cancel the timer, or every timer when several run (a Russian request rarely names one)."""
    timers = ctx.store.active(TimerKind.TIMER)
    if not timers:
        return "Сейчас нет запущенных таймеров."
    for timer in timers:
        ctx.store.set_state(timer, TimerState.CANCELLED)
    return "Таймер отменён." if len(timers) == 1 else f"Отменено таймеров: {len(timers)}."


def timer_status(match: IntentMatch, ctx: SkillContext) -> str | None:
    """How long is left on each running timer."""
    timers = ctx.store.active(TimerKind.TIMER)
    if not timers:
        return "Сейчас нет запущенных таймеров."
    now = ctx.now()
    left = [say_duration(t.remaining(now)) for t in timers]
    if len(left) == 1:
        return f"До сигнала осталось {left[0]}."
    return "Осталось: " + ", ".join(left) + "."


def label(timer: Timer) -> str:
    """How to name a timer or reminder aloud: "таймер «паста»", "таймер на 5 минут", "напоминание «позвонить»"."""
    if timer.kind is TimerKind.REMINDER:
        return f"напоминание «{timer.name}»" if timer.name else "напоминание"
    if timer.name:
        return f"таймер «{timer.name}»"
    return f"таймер на {say_duration(timer.duration_s)}" if timer.duration_s else "таймер"


def ring_text(timer: Timer) -> str:
    """What Aris says when a timer or reminder rings."""
    if timer.kind is TimerKind.REMINDER:
        return f"Напоминание: {timer.name}." if timer.name else "Это ваше напоминание."
    return f"{label(timer).capitalize()} сработал."


def missed_text(timers: list[Timer]) -> str:
    """The announcement at start for what rang while Aris was closed."""
    parts = [f"{label(t)} в {datetime.fromtimestamp(t.fires_at).astimezone():%H:%M}" for t in timers]
    return "Пока я был закрыт, сработали: " + ", ".join(parts) + "."


def _running(ctx: SkillContext) -> list[Timer]:
    return ctx.store.active(TimerKind.TIMER)


def pause_timer(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Pause the running timers, freezing the time left ("поставь таймер на паузу")."""
    timers = [t for t in _running(ctx) if t.state is not TimerState.PAUSED]
    if not timers:
        return "Таймер уже на паузе." if _running(ctx) else "Сейчас нет запущенных таймеров."
    now = ctx.now()
    for timer in timers:
        ctx.store.set_state(timer, TimerState.PAUSED, remaining_s=timer.remaining(now))
    return f"Таймер на паузе, осталось {say_duration(timers[0].remaining(now))}."


def resume_timer(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Resume the paused timers ("продолжи таймер")."""
    timers = [t for t in _running(ctx) if t.state is TimerState.PAUSED]
    if not timers:
        return "Таймер и так идёт." if _running(ctx) else "Сейчас нет запущенных таймеров."
    now = ctx.now()
    for timer in timers:
        ctx.store.set_state(timer, TimerState.RUNNING, fires_at=now + timer.remaining(now))
    return f"Таймер снова идёт, осталось {say_duration(timers[0].remaining(now))}."


def _change(match: IntentMatch, ctx: SkillContext, sign: int) -> str | None:
    said = match.slots.get("duration")
    seconds = parse_duration(str(said)) if said is not None else _seconds_from_slots(match.slots)
    if seconds is None or seconds <= 0:
        return "Сколько времени добавить или убавить?"
    timers = _running(ctx)
    if not timers:
        return "Сейчас нет запущенных таймеров."
    timer, now = timers[0], ctx.now()
    left = timer.remaining(now) + sign * seconds
    if left <= 0:
        return f"На таймере осталось всего {say_duration(timer.remaining(now))}."
    if timer.state is TimerState.PAUSED:
        ctx.store.set_state(timer, TimerState.PAUSED, remaining_s=left)
    else:
        ctx.store.set_state(timer, TimerState.RUNNING, fires_at=now + left)
    verb = "Добавил" if sign > 0 else "Убавил"
    return f"{verb} {say_duration(seconds)}: до сигнала {say_duration(left)}."


def add_time(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "добавь 5 минут к таймеру"."""
    return _change(match, ctx, 1)


def take_time(match: IntentMatch, ctx: SkillContext) -> str | None:
    """ "убавь минуту у таймера"."""
    return _change(match, ctx, -1)
