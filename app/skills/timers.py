"""Countdown timers: several at once, optionally named; start, cancel, pause, resume, add or remove time,
"how long is left". Stored in SQLite; the desktop app rings them (app/skills/alarms.py)."""

from __future__ import annotations

import re

from app.skills.base import SkillContext
from app.skills.durations import parse_duration
from app.skills.extract import same_thing
from app.skills.matcher import IntentMatch
from app.skills.speech import join_items, say_duration
from app.skills.store import Timer, TimerKind, TimerState

MAX_TIMER_S = 7 * 86400
RINGS_NOTE = " I'll ring while the Aris app is running."


def _seconds_from_slots(slots: dict[str, object]) -> float | None:
    """Home Assistant's hours/minutes/seconds slots, or our free-form duration."""
    if "duration" in slots:
        return parse_duration(str(slots["duration"]))
    keys = ("hours", "minutes", "seconds")
    if not any(k in slots for k in keys):
        return None
    total = 0.0
    for key, size in zip(keys, (3600, 60, 1), strict=True):
        total += float(str(slots.get(key) or 0)) * size
    return total


def _name(slots: dict[str, object]) -> str:
    name = str(slots.get("timer_label") or slots.get("name") or "").strip().lower()
    return re.sub(r"^(a|an|the|my)\s+", "", name)


def start(match: IntentMatch, ctx: SkillContext) -> str | None:  # noqa: PLR0911 - one answer per bad input
    """Start a timer; zero, negative or absurd lengths get a clear answer instead."""
    if "conversation_command" in match.slots:
        return None  # "turn off the lights in 5 minutes": a delayed command Aris can't run
    seconds = _seconds_from_slots(match.slots)
    name = _name(match.slots)
    if seconds is None:
        if "duration" in match.slots:
            return None  # another reading of the sentence (or the model) fits better
        return "How long should the timer run? Say, for example, set a timer for ten minutes."
    if parse_duration(name) is not None:
        return None  # both slots look like lengths: another reading of the sentence fits better
    if seconds <= 0:
        return "A timer needs a length above zero. How long should it run?"
    if seconds > MAX_TIMER_S:
        return "That's longer than a week. For that, set a reminder instead."
    ctx.store.add_timer(TimerKind.TIMER, name, ctx.now() + seconds, seconds)
    label = f"{name.title()} timer" if name else "Timer"
    return f"{label} set for {say_duration(seconds)}.{RINGS_NOTE}"


def _pick(ctx: SkillContext, slots: dict[str, object]) -> tuple[Timer | None, str | None]:
    """The timer a request means: by name, or the only one; otherwise a question back."""
    timers = ctx.store.active(TimerKind.TIMER)
    if not timers:
        return None, "You have no timers running."
    name = _name(slots)
    if name:
        named = [t for t in timers if t.name == name] or [t for t in timers if same_thing(t.name, name)]
        if not named:
            return None, f"You have no {name} timer."
        return named[0], None
    if len(timers) == 1:
        return timers[0], None
    names = join_items([t.label() for t in timers])
    return None, f"You have {len(timers)} timers: {names}. Which one?"


def cancel(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Cancel one timer."""
    timer, problem = _pick(ctx, match.slots)
    if timer is None:
        return problem
    ctx.store.set_state(timer, TimerState.CANCELLED)
    return f"Cancelled {timer.label()}."


def cancel_all(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Cancel every timer."""
    timers = ctx.store.active(TimerKind.TIMER)
    for timer in timers:
        ctx.store.set_state(timer, TimerState.CANCELLED)
    if not timers:
        return "You have no timers running."
    return f"Cancelled {len(timers)} timer{'s' if len(timers) > 1 else ''}."


def status(match: IntentMatch, ctx: SkillContext) -> str | None:
    """How long is left: one timer, or all of them."""
    name = _name(match.slots)
    timers = ctx.store.active(TimerKind.TIMER)
    if not timers:
        return "You have no timers running."
    if name:
        timers = [t for t in timers if t.name == name] or [t for t in timers if same_thing(t.name, name)]
        if not timers:
            return f"You have no {name} timer."
    now = ctx.now()
    parts = []
    for timer in timers:
        paused = " (paused)" if timer.state is TimerState.PAUSED else ""
        parts.append(f"{timer.label()} has {say_duration(timer.remaining(now))} left{paused}")
    sentence = join_items(parts)
    return sentence[0].upper() + sentence[1:] + "."


def pause(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Pause a running timer, freezing the time left."""
    timer, problem = _pick(ctx, match.slots)
    if timer is None:
        return problem
    if timer.state is TimerState.PAUSED:
        return f"{timer.label().capitalize()} is already paused."
    left = timer.remaining(ctx.now())
    ctx.store.set_state(timer, TimerState.PAUSED, remaining_s=left)
    return f"Paused {timer.label()} with {say_duration(left)} left."


def resume(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Resume a paused timer."""
    timer, problem = _pick(ctx, match.slots)
    if timer is None:
        return problem
    if timer.state is not TimerState.PAUSED:
        return f"{timer.label().capitalize()} is already running."
    left = timer.remaining(ctx.now())
    ctx.store.set_state(timer, TimerState.RUNNING, fires_at=ctx.now() + left)
    return f"Resumed {timer.label()}: {say_duration(left)} left."


def change(match: IntentMatch, ctx: SkillContext, sign: int) -> str | None:
    """Add (sign 1) or take off (sign -1) time."""
    seconds = _seconds_from_slots(match.slots)
    if seconds is None or seconds <= 0:
        return "How much time should I add or take off?"
    timer, problem = _pick(ctx, match.slots)
    if timer is None:
        return problem
    now = ctx.now()
    left = timer.remaining(now) + sign * seconds
    if left <= 0:
        return f"{timer.label().capitalize()} has only {say_duration(timer.remaining(now))} left."
    if timer.state is TimerState.PAUSED:
        ctx.store.set_state(timer, TimerState.PAUSED, remaining_s=left)
    else:
        ctx.store.set_state(timer, TimerState.RUNNING, fires_at=now + left)
    return f"{timer.label().capitalize()} now has {say_duration(left)} left."


def increase(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Add time to a timer."""
    return change(match, ctx, 1)


def decrease(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Take time off a timer."""
    return change(match, ctx, -1)


def list_all(match: IntentMatch, ctx: SkillContext) -> str | None:
    """Every running timer and how long it has left."""
    return status(IntentMatch(match.intent), ctx)
